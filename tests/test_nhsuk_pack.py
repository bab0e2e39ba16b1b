"""The NHS.UK crispy-forms pack (the nhsuk app) and the pages built on base.html."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Button, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core import mail
from django.template import Context, Template, TemplateDoesNotExist
from django.test import RequestFactory
from django.test.signals import template_rendered
from django.views.defaults import server_error

import nhsuk

# --- a small HTML tree, enough to ask questions of rendered markup --------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = {name: value or "" for name, value in attrs}
        self.parent = parent
        self.children = []  # Elements and strings, in document order

    @property
    def classes(self):
        return self.attrs.get("class", "").split()

    def text(self):
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [
            el
            for el in self.iter()
            if (tag is None or el.tag == tag)
            and (cls is None or cls in el.classes)
            and all(el.attrs.get(name.replace("_", "-")) == v for name, v in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls} {attrs}"
        return found[0]

    def ancestor(self, tag):
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", [])

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


# --- a form using every kind of field the pack renders ---------------------------------------


class FeedbackForm(forms.Form):
    name = forms.CharField(label="Full name")
    email = forms.EmailField(label="Email address", help_text="We only use it to send you links.")
    relationship = forms.ChoiceField(
        label="How do you work with Alex?",
        choices=[("line_manager", "I am their line manager"), ("peer", "I am a peer")],
        widget=forms.RadioSelect,
    )
    settings = forms.MultipleChoiceField(
        label="Where do you see Alex lead?",
        choices=[("team", "In our team"), ("system", "Across the system")],
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(label="Comments", widget=forms.Textarea)
    consent = forms.BooleanField(label="I agree to share my feedback", help_text="Required.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send feedback"))
        self.helper.add_input(Button("cancel", "Cancel"))


INVALID = {
    "name": "Sam Rater",
    "email": "not-an-email",
    "settings": ["system"],
    "comment": "Listens well.\nKeeps promises.",
    "consent": "on",
}


def render_crispy(form):
    template = Template("{% load crispy_forms_tags %}{% crispy form %}")
    return template.render(Context({"form": form, "csrf_token": "test-token"}))


@pytest.fixture
def invalid_form_doc():
    form = FeedbackForm(data=INVALID)
    assert not form.is_valid()
    return parse(render_crispy(form))


def test_error_summary_links_each_error_to_its_field(invalid_form_doc):
    summary = invalid_form_doc.find("div", cls="nhsuk-error-summary")
    assert summary.find(role="alert")
    assert summary.find("h2").text() == "There is a problem"
    link = summary.find("a", href="#id_email")
    assert link.text() == "Enter a valid email address."
    # A radio group has no element with the field's own id: the link goes to its first option.
    assert summary.find("a", href="#id_relationship_0").text() == "This field is required."
    assert invalid_form_doc.find("input", id="id_relationship_0")


def test_non_field_errors_are_plain_items_in_the_summary():
    class PasswordsForm(forms.Form):
        password = forms.CharField()

        def clean(self):
            raise forms.ValidationError("Those details do not match.")

    doc = parse(render_crispy(PasswordsForm(data={"password": "x"})))
    items = doc.find("ul", cls="nhsuk-error-summary__list").find_all("li")
    assert [item.text() for item in items] == ["Those details do not match."]
    assert not items[0].find_all("a")


def test_no_error_summary_before_the_form_is_submitted():
    doc = parse(render_crispy(FeedbackForm()))
    assert not doc.find_all(cls="nhsuk-error-summary")
    assert not doc.find_all(cls="nhsuk-form-group--error")


def test_radio_group_is_a_fieldset_whose_legend_is_the_label(invalid_form_doc):
    radio = invalid_form_doc.find("input", id="id_relationship_0")
    fieldset = radio.ancestor("fieldset")
    assert "nhsuk-fieldset" in fieldset.classes
    legend = fieldset.find("legend")
    assert legend.text() == "How do you work with Alex?"
    assert {"nhsuk-fieldset__legend", "nhsuk-fieldset__legend--s"} <= set(legend.classes)
    assert fieldset.attrs["aria-describedby"] == "id_relationship-error"
    assert "nhsuk-form-group--error" in fieldset.parent.classes
    options = fieldset.find("div", cls="nhsuk-radios").find_all("div", cls="nhsuk-radios__item")
    assert [o.find("label", cls="nhsuk-radios__label").text() for o in options] == [
        "I am their line manager",
        "I am a peer",
    ]
    second = fieldset.find("input", id="id_relationship_1")
    assert second.classes == ["nhsuk-radios__input"]
    assert fieldset.find("label", **{"for": "id_relationship_1"})


def test_checkbox_group_is_a_fieldset_of_nhsuk_checkboxes(invalid_form_doc):
    box = invalid_form_doc.find("input", id="id_settings_0")
    fieldset = box.ancestor("fieldset")
    assert fieldset.find("legend").text() == "Where do you see Alex lead?"
    assert fieldset.find("div", cls="nhsuk-checkboxes")
    assert len(fieldset.find_all("input", cls="nhsuk-checkboxes__input", type="checkbox")) == 2


def test_fields_carry_nhsuk_classes(invalid_form_doc):
    doc = invalid_form_doc
    name = doc.find("input", id="id_name")
    assert "nhsuk-input" in name.classes
    assert "nhsuk-input--error" not in name.classes
    assert doc.find("label", cls="nhsuk-label", **{"for": "id_name"}).text() == "Full name"

    email = doc.find("input", id="id_email")
    assert {"nhsuk-input", "nhsuk-input--error"} <= set(email.classes)
    group = email.ancestor("div")
    assert {"nhsuk-form-group", "nhsuk-form-group--error"} <= set(group.classes)
    error = group.find("span", cls="nhsuk-error-message", id="id_email-error")
    assert error.find("span", cls="nhsuk-u-visually-hidden").text() == "Error:"
    assert "Enter a valid email address." in error.text()

    assert "nhsuk-textarea" in doc.find("textarea", id="id_comment").classes
    consent = doc.find("input", id="id_consent")
    assert "nhsuk-checkboxes__input" in consent.classes
    assert "nhsuk-checkboxes__item" in consent.parent.classes


def test_hint_comes_from_help_text(invalid_form_doc):
    hint = invalid_form_doc.find("div", cls="nhsuk-hint", id="id_email-hint")
    assert hint.text() == "We only use it to send you links."
    described = invalid_form_doc.find("input", id="id_email").attrs["aria-describedby"]
    assert described.split() == ["id_email-hint", "id_email-error"]


def test_every_aria_describedby_points_at_an_element_on_the_page(invalid_form_doc):
    ids = {el.attrs["id"] for el in invalid_form_doc.iter() if "id" in el.attrs}
    described = [el for el in invalid_form_doc.iter() if "aria-describedby" in el.attrs]
    # The email input (hint, error), the radio group's fieldset (error), the consent box (hint).
    assert [el.attrs.get("id", el.tag) for el in described] == [
        "id_email",
        "fieldset",
        "id_consent",
    ]
    for element in described:
        assert set(element.attrs["aria-describedby"].split()) <= ids, element.attrs


def test_answers_are_kept_when_the_form_is_shown_again(invalid_form_doc):
    doc = invalid_form_doc
    assert doc.find("input", id="id_name").attrs["value"] == "Sam Rater"
    assert doc.find("input", id="id_email").attrs["value"] == "not-an-email"
    assert "checked" in doc.find("input", id="id_settings_1").attrs
    assert "checked" not in doc.find("input", id="id_settings_0").attrs
    assert doc.find("textarea", id="id_comment").text() == "Listens well. Keeps promises."
    assert "checked" in doc.find("input", id="id_consent").attrs


def test_a_chosen_radio_stays_checked():
    form = FeedbackForm(data={**INVALID, "relationship": "peer"})
    doc = parse(render_crispy(form))
    assert "checked" in doc.find("input", id="id_relationship_1").attrs
    assert "checked" not in doc.find("input", id="id_relationship_0").attrs


def test_buttons_are_nhsuk_buttons_without_bootstrap_classes(invalid_form_doc):
    submit = invalid_form_doc.find("button", type="submit")
    assert submit.classes == ["nhsuk-button"]
    assert (submit.attrs["name"], submit.attrs["value"], submit.text()) == (
        "submit",
        "Send feedback",
        "Send feedback",
    )
    cancel = invalid_form_doc.find("button", type="button")
    assert cancel.classes == ["nhsuk-button", "nhsuk-button--secondary"]
    form = invalid_form_doc.find("form")
    assert "novalidate" in form.attrs
    assert form.find("input", type="hidden", name="csrfmiddlewaretoken")


def test_crispy_filter_uses_the_same_pack():
    form = FeedbackForm(data=INVALID)
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    doc = parse(html)
    assert doc.find("div", cls="nhsuk-error-summary").find("a", href="#id_email")
    assert "nhsuk-input" in doc.find("input", id="id_name").classes
    assert not doc.find_all("form")


def test_a_layout_object_the_pack_does_not_ship_fails_loudly(settings):
    # The pack keeps only what the pages use (issue 15, item 5); a page that needs another
    # crispy layout object adds its NHS.UK template to nhsuk/templates/nhsuk/ first.
    settings.CRISPY_FAIL_SILENTLY = False
    form = FeedbackForm()
    form.helper.layout = Layout(Fieldset("About you", "name", "email"))
    with pytest.raises(TemplateDoesNotExist):
        render_crispy(form)


PACK = Path(nhsuk.__file__).parent / "templates"


def test_every_template_of_the_pack_is_rendered_by_these_tests():
    """Rendering the forms above (the tag and the filter, bound and unbound) uses every
    template the pack ships: none is dead weight, and each is covered by the tests here."""
    shipped = {str(path.relative_to(PACK)) for path in PACK.rglob("*.html")}
    used = set()

    def seen(sender, template, **kwargs):
        used.add(template.name)

    template_rendered.connect(seen)
    try:
        for data in (None, INVALID):
            render_crispy(FeedbackForm(data=data))
            Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
                Context({"form": FeedbackForm(data=data)})
            )
    finally:
        template_rendered.disconnect(seen)
    assert shipped == {name for name in used if name and name.startswith("nhsuk/")}


def test_password_fields_get_the_nhsuk_show_button():
    class SignInForm(forms.Form):
        password = forms.CharField(widget=forms.PasswordInput)

    doc = parse(render_crispy(SignInForm()))
    group = doc.find("div", cls="nhsuk-password-input")
    assert group.attrs["data-module"] == "nhsuk-password-input"
    assert "nhsuk-password-input__input" in group.find("input", id="id_password").classes
    assert group.find("button", aria_controls="id_password")


# --- pages ------------------------------------------------------------------------------------


def assert_nhsuk_page(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-header" in html
    doc = parse(html)
    assert doc.find("main", id="maincontent")
    assert doc.find("html").attrs["lang"] == "en-GB"
    assert not doc.find_all("style") and not [el for el in doc.iter() if "style" in el.attrs]
    assert all(el.attrs.get("src") for el in doc.find_all("script")), "no inline script"
    return doc


@pytest.mark.django_db
def test_home_page_routes_each_kind_of_visitor(client, framework):
    doc = assert_nhsuk_page(client.get("/"))
    cards = {a.text(): a.attrs["href"] for a in doc.find_all("a", cls="nhsuk-card__link")}
    assert cards["I am a leader"] == "/my/"
    assert cards["I have been asked to give feedback"] == "#giving-feedback"
    assert cards["I run a programme"] == "/programmes/"
    # Both ask a visitor who is not signed in to sign in first, then return them.
    assert client.get("/my/")["Location"] == "/accounts/login/?next=/my/"
    assert client.get("/programmes/")["Location"] == "/accounts/login/?next=/programmes/"
    assert doc.find(id="giving-feedback")
    assert doc.find("a", href="/framework/", cls="nhsuk-action-link")
    assert "at least 3 people" in doc.text()


def test_home_page_without_a_framework(client, no_framework):
    doc = assert_nhsuk_page(client.get("/"))
    assert not doc.find_all("a", cls="nhsuk-action-link")


@pytest.mark.django_db
def test_framework_page_shows_counts_scale_and_every_theme(client, framework):
    doc = assert_nhsuk_page(client.get("/framework/"))
    assert doc.find("p", cls="app-framework-counts").text() == (
        "4 themes, 13 qualities, 39 statements"
    )
    headings = [h2.text() for h2 in doc.find("main").find_all("h2")]
    for number, name in enumerate(
        ["Being", "Relating and communicating", "Leading and visioning", "Delivering"], start=1
    ):
        assert f"Theme {number} {name}" in headings
    assert "Rating scale" in headings
    assert len(doc.find_all("h3")) == 13
    statements = doc.find_all("li", cls="app-statement-list__item")
    assert len(statements) == 39
    assert {s.find("strong", cls="nhsuk-tag").text() for s in statements} == {
        "Systems leadership behaviour",
        "Leadership for personalised care",
    }
    assert "Almost always" in doc.find("table", cls="nhsuk-table").text()


@pytest.mark.django_db
def test_sign_in_and_password_reset_pages_show_their_forms(client):
    login = assert_nhsuk_page(client.get("/accounts/login/"))
    assert login.find("input", id="id_username", type="email")
    assert login.find("input", id="id_password", type="password")
    assert login.find("a", href="/accounts/password-reset/")

    reset = assert_nhsuk_page(client.get("/accounts/password-reset/"))
    assert reset.find("input", id="id_email", type="email")
    assert reset.find("button", type="submit").text() == "Send me a link"


@pytest.mark.django_db
def test_a_failed_sign_in_shows_the_error_summary(client):
    response = client.post(
        "/accounts/login/", {"username": "nobody@example.com", "password": "wrong password"}
    )
    doc = assert_nhsuk_page(response)
    assert doc.find("title").text().startswith("Error: Sign in")
    summary = doc.find("div", cls="nhsuk-error-summary")
    assert "Enter a correct email address and password." in summary.text()
    assert doc.find("input", id="id_username").attrs["value"] == "nobody@example.com"


@pytest.mark.django_db
def test_an_expired_set_password_link_says_so_plainly(client):
    doc = assert_nhsuk_page(client.get("/accounts/set-password/MQ/not-a-valid-token/"))
    assert doc.find("h1").text() == "Your link has expired"
    assert "expired or has already been used" in doc.text()
    assert doc.find("a", href="/accounts/password-reset/").text() == "Ask for a new link"
    assert not doc.find("main").find_all("form")


@pytest.mark.django_db
def test_signed_in_header_shows_the_name_and_signs_out_by_post(client):
    user = get_user_model().objects.create_user(
        "alex.leader@example.nhs.uk", "a-long-password-1", full_name="Alex Leader"
    )
    client.force_login(user)
    doc = assert_nhsuk_page(client.get("/"))
    account = doc.find("nav", cls="nhsuk-header__account")
    assert "Alex Leader" in account.text()
    form = account.find("form", action="/accounts/logout/", method="post")
    assert form.find("button").text() == "Sign out"
    assert form.find("input", name="csrfmiddlewaretoken")
    assert not account.find_all("a", href="/accounts/login/")


@pytest.mark.django_db
def test_password_reset_email_links_to_the_set_password_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://lpc360.example.nhs.uk"
    settings.ALLOWED_HOSTS = ["*"]
    get_user_model().objects.create_user(
        "alex.leader@example.nhs.uk", "a-long-password-1", full_name="Alex Leader"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password-reset/",
            {"email": "alex.leader@example.nhs.uk"},
            HTTP_HOST="evil.example",
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "LPC 360" in message.subject
    # Built from SITE_URL, never from the request's Host header.
    assert "https://lpc360.example.nhs.uk/accounts/set-password/" in message.body
    assert "evil.example" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://lpc360.example.nhs.uk/accounts/set-password/' in html


@pytest.mark.django_db
def test_error_pages_are_nhsuk_pages(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "nhsuk-header" in response.content.decode()

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "/static/nhsuk/css/lpc360.css" in html
