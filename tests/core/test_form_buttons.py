"""Enter in a field submits a form with its first submit button: on every edit form that is Save."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORM = re.compile(r"<form\b.*?</form>", re.S)
TRANSLATED = re.compile(r"\{% (?:translate|trans) [\"']([^\"']*)[\"'] %\}")
BUTTON = re.compile(r"<button\b[^>]*>.*?</button>|<input\b[^>]*type=\"submit\"[^>]*>", re.S)


def _submit_buttons(form: str) -> list[str]:
    return [b for b in BUTTON.findall(form) if 'type="button"' not in b and 'type="reset"' not in b]


def test_save_is_the_first_submit_button_of_every_form_that_offers_save_and_new():
    checked, wrong = 0, []
    for path in TEMPLATES.rglob("*.html"):
        for form in FORM.findall(path.read_text()):
            buttons = _submit_buttons(form)
            if not any("save_new" in b for b in buttons):
                continue
            checked += 1
            # The label as the English page shows it: {% translate "Save" %} reads Save.
            label = TRANSLATED.sub(r"\1", buttons[0])
            first = re.sub(r"<[^>]+>|\{%.*?%\}", "", label).strip()
            if first != "Save":
                wrong.append(f"{path.relative_to(TEMPLATES)}: first submit button is {first!r}")

    assert checked >= 2  # the lead form and the sales record form
    assert wrong == []
