"""Real headless Chromium: the home page is the rep's dashboard, its components load on their own,
and clicking a chart bar opens the filtered lead list behind it; usable at phone width."""

import re

import pytest

from dashboards.models import Dashboard, DashboardComponent
from tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BAR_CENTRE = """(id) => {
  const canvas = document.getElementById(id);
  const chart = Chart.getChart(canvas);
  const meta = chart.getDatasetMeta(0);
  const el = meta.data[0];
  return {x: el.x, y: (el.y + el.base) / 2, label: chart.data.datasets[0].label};
}"""


@pytest.fixture
def rep_board(rep, other_rep):
    board = Dashboard.objects.get(name="Sales rep home")
    board.components.all().delete()
    component = DashboardComponent.objects.create(
        dashboard=board,
        title="My leads by source",
        source="report:leads-created",
        params="owner=me&group=lead_source&period=month&range=this_month",
        chart_type="bar",
        size="full",
        sort_order=1,
    )
    DashboardComponent.objects.create(
        dashboard=board, title="My tasks", source="widget:my-tasks", chart_type="table", size="small", sort_order=2
    )
    LeadFactory(owner_user=rep, lead_source="Web", last_name="Webster")
    LeadFactory(owner_user=rep, lead_source="Web", last_name="Weber")
    LeadFactory(owner_user=other_rep, lead_source="Web", last_name="Stranger")
    return board, component


def test_a_rep_opens_the_dashboard_and_clicks_a_bar_through_to_the_leads(page, login, rep, rep_board):
    _board, component = rep_board
    login(rep)
    page.goto("/")
    assert page.get_by_test_id("dashboard-name").inner_text() == "Sales rep home"

    canvas = page.locator(f"#chart-{component.pk}")
    page.wait_for_selector(f"#chart-{component.pk}[data-ready='1']")
    # The table view (folded under the chart) holds the same count: 2, the other rep's lead is not counted.
    cells = page.get_by_test_id("component-table").first.locator("tbody tr").first.locator("td")
    assert cells.first.text_content().strip() == "2"
    bar = page.evaluate(BAR_CENTRE, f"chart-{component.pk}")
    assert bar["label"] == "Web"
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"])

    page.wait_for_url(re.compile(r"/leads/\?"))
    assert "lead_source=Web" in page.url
    assert f"owner=user%3A{rep.pk}" in page.url
    listing = page.locator("main").inner_text()
    assert "Webster" in listing
    assert "Weber" in listing
    assert "Stranger" not in listing


def test_the_dashboard_fits_a_phone(page, login, rep, rep_board):
    _board, component = rep_board
    page.set_viewport_size({"width": 390, "height": 844})
    login(rep)
    page.goto("/")
    page.wait_for_selector(f"#chart-{component.pk}[data-ready='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(f"#chart-{component.pk}").bounding_box()["width"] <= 390
