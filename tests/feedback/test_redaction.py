from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assist.feedback.redaction import Finding, Kind, find_pii, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe@example.co.uk, thanks", "write to [EMAIL], thanks"),
        ("call (415) 555-0132 after five", "call [PHONE] after five"),
        ("my cell is 646.555.0199", "my cell is [PHONE]"),
        ("the number is +1 646 555 0112", "the number is [PHONE]"),
        ("text me at 6155550152 when it ships", "text me at [PHONE] when it ships"),
        ("in Paris on +33 1 42 68 53 00 all week", "in Paris on [PHONE] all week"),
        ("visa 4111 1111 1111 1111, exp 12/26", "visa [CARD], exp 12/26"),
        ("amex 3782-822463-10005 please", "amex [CARD] please"),
        ("card 5555555555554444", "card [CARD]"),
        ("my social is 078-05-1120", "my social is [SSN]"),
        ("ssn 078 05 1120 ok", "ssn [SSN] ok"),
        ("my social security number is 078051120", "my social security number is [SSN]"),
        ("iban DE89 3704 0044 0532 0130 00 please", "iban [IBAN] please"),
        ("refund to GB82WEST12345698765432, ta", "refund to [IBAN], ta"),
        ("ship to 42 Oak Street, Springfield, IL 62704 today", "ship to [ADDRESS] today"),
        ("it went to 301 E 4th St apt 2C yesterday", "it went to [ADDRESS] yesterday"),
        ("deliver to 1450 Broadway, Suite 800, New York, NY 10018", "deliver to [ADDRESS]"),
    ],
)
def test_redact_replaces_each_kind_with_its_placeholder(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_find_pii_reports_kind_and_span() -> None:
    text = "mail me: ann@example.org"
    assert find_pii(text) == [Finding(Kind.EMAIL, 9, 24)]


@pytest.mark.parametrize("number", ["4111 1111 1111 1112", "4111-1111-1111-1112", "5555555555554445"])
def test_redact_keeps_luhn_invalid_card_numbers(number: str) -> None:
    text = f"the card is {number}"
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "hi I'm calling about order #A12345",
        "my order number is 100234567 and it's been a week",
        "order 561730714665676, placed on 2024-05-01",
        "the jacket was $1,299.99 and shipping 4.99",
        "I ordered it on 03/04/2024 at 10:30, delivery 2024-05-01",
        "the usps tracking is 9400 1000 0000 0000 0000 00",
        "tracking number 1Z999AA10123456784",
        "fedex says 7749 8812 0354 is delayed",
        "is the store in 94103 open today, zip 10001-1234",
        "the tag says SKU 12-3456-7890, item 300-2291",
        "the barcode says 0 12345 67890 5",
        "app version 4.2.1, ip 192.168.1.1, +20% off",
        "ssn 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567 and 123-45-0000 are not issued",
        "a fake iban DE89 3704 0044 0532 0130 01",
        "the Main Street store, room 214, apartment 4",
    ],
)
def test_redact_keeps_order_numbers_prices_dates_and_tracking_numbers(text: str) -> None:
    assert redact(text) == text


def test_redact_replaces_several_pii_in_one_text() -> None:
    text = "name Chris, email chris-taylor@mail.com phone (562) 555-0189 card 4826 4798 6710 9688"
    assert redact(text) == "name [PERSON], email [EMAIL] phone [PHONE] card [CARD]"


def test_redact_leaves_text_without_pii_unchanged() -> None:
    text = "I want to speak to a supervisor please, I paid $59.99 twice on 2024-05-01"
    assert redact(text) == text


def test_redact_twice_is_the_same_as_once() -> None:
    text = "my social is 078051120 and my order is 078051120, card 4111111111111111 at 12 Elm Rd"
    once = redact(text)
    assert once == "my social is [SSN] and my order is 078051120, card [CARD] at [ADDRESS]"
    assert redact(once) == once


def _with_check_digit(body: str) -> str:
    """`body` plus the digit that makes it pass the Luhn check."""
    total = 0
    for position, ch in enumerate(reversed(body)):
        value = int(ch) * (1 if position % 2 else 2)
        total += value - 9 if value > 9 else value
    return body + str(-total % 10)


_WORDS = st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=8), max_size=4).map(" ".join)


@st.composite
def _cards(draw: st.DrawFn) -> str:
    """A Luhn-valid 16-digit number starting 2-6, unbroken or in fours separated by a space or a dash."""
    body = draw(st.sampled_from("23456")) + draw(st.text(alphabet="0123456789", min_size=14, max_size=14))
    digits = _with_check_digit(body)
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join(digits[i : i + 4] for i in range(0, 16, 4))


# A name model reads its context, so a second redaction may call another word a name; what must hold is that
# nothing shaped (a number, an address, an e-mail) is left for a second look to find.
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_redact_never_raises_never_adds_digits_and_leaves_nothing_shaped(text: str) -> None:
    redacted = redact(text)
    assert sum(ch.isdigit() for ch in redacted) <= sum(ch.isdigit() for ch in text)
    assert find_pii(redacted, names=False) == []


@given(st.text(alphabet="0123456789 -.+()@abcDEFxyz,#", max_size=120))
def test_redact_on_digit_heavy_text_leaves_nothing_shaped_and_keeps_digit_counts_down(text: str) -> None:
    redacted = redact(text)
    assert sum(ch.isdigit() for ch in redacted) <= sum(ch.isdigit() for ch in text)
    assert find_pii(redacted, names=False) == []


@given(_WORDS, _cards(), _WORDS)
def test_redact_leaves_no_digit_of_a_card(before: str, card: str, after: str) -> None:
    redacted = redact(f"{before} {card} {after}")
    assert "[CARD]" in redacted
    assert not any(ch.isdigit() for ch in redacted)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111.1111.1111.1111 ok", "card [CARD] ok"),
        ("card 4111 1111-1111 1111 ok", "card [CARD] ok"),
        ("card 41 11 11 11 11 11 11 11 ok", "card [CARD] ok"),
        ("card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ok", "card [CARD] ok"),
        ("card 4111\u00a01111\u00a01111\u00a01111 ok", "card [CARD] ok"),
        ("card \uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11 ok",
         "card [CARD] ok"),
        ("card \u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661 ok",
         "card [CARD] ok"),
        ("mail dana.whit2\uff20example.com ok", "mail [EMAIL] ok"),
        ("mail d\u0430n\u0430@ex\u0430mple.com ok", "mail [EMAIL] ok"),  # Cyrillic a
        ("mail dana at example dot com ok", "mail [EMAIL] ok"),
        ("my number is five five five, oh one three eight", "my number is [PHONE]"),
        ("call six four six five five five zero one nine nine", "call [PHONE]"),
        ("ship to 42 oak street, springfield, il 62704", "ship to [ADDRESS]"),
        ("this is dana whitfield", "this is [PERSON]"),
        ("Account 88231, Sam Okafor", "Account [ACCOUNT], [PERSON]"),
        ("born march 3rd 1985", "born [DOB]"),
        ("my date of birth is 03/14/1979", "my date of birth is [DOB]"),
        ("member id 5521-0093 please", "member id [ACCOUNT] please"),
    ],
)
def test_redact_finds_the_variants_an_outside_probe_sent(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_keeps_an_order_date_but_not_a_date_of_birth() -> None:
    assert redact("ordered on march 3rd 2026, I was born 12 july 1990") == "ordered on march 3rd 2026, I was born [DOB]"


@pytest.mark.parametrize(
    ("asked", "reply", "expected"),
    [
        ("Can I have your full name or account ID?", "Dana Whitfield", "[PERSON]"),
        ("And your first name please?", "sure, it is sam okafor", "sure, it is [PERSON]"),
        ("Can I have your full name?", "yes it arrived broken", "yes it arrived broken"),
        ("How long ago did you buy it?", "about four months ago", "about four months ago"),
    ],
)
def test_a_short_reply_to_a_question_for_a_name_is_a_name(asked: str, reply: str, expected: str) -> None:
    assert redact(reply, asked=asked) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send it to 42 oak street springfield", "send it to [ADDRESS]"),
        ("7 pine ave 02139 please", "[ADDRESS] please"),
        ("ssn 078.05.1120", "ssn [SSN]"),
        ("my birthday's march third", "my birthday's [DOB]"),
        ("account number is four four seven one two nine", "account number is [ACCOUNT]"),
        ("customer ID 730215", "customer ID [ACCOUNT]"),
        ("I spoke to Mr. Patel yesterday", "I spoke to Mr. [PERSON] yesterday"),
        ("account 123 is wrong", "account 123 is wrong"),
        ("I waited 2 days on the road", "I waited 2 days on the road"),
    ],
)
def test_redact_reads_lower_case_places_spoken_accounts_and_titles(text: str, expected: str) -> None:
    assert redact(text) == expected
