"""The fault tests post to a Web-to-Lead form set up as the Web-to-Lead tests set it up."""

from tests.webtolead.conftest import creator, fields_for, lead_metadata, w2l_settings, web_form  # noqa: F401
