"""The help articles ship in the package, and retrieval finds the one that answers."""

from pathlib import Path

import pytest

import bankdesk
from bankdesk.banking.redaction import contains_pii
from bankdesk.banking.support import (
    KNOWLEDGE_DIR,
    KnowledgeBase,
    knowledge_base,
    load_articles,
    normalise,
    parse_article,
)


def test_the_articles_ship_in_the_package_and_each_has_a_title_and_paragraphs() -> None:
    articles = load_articles()

    assert KNOWLEDGE_DIR.is_relative_to(Path(bankdesk.__file__).parent)
    assert 8 <= len(articles) <= 15
    assert len({article.id for article in articles}) == len(articles)
    for article in articles:
        assert article.title
        assert len(article.paragraphs) >= 2
        assert not any(paragraph.startswith("#") for paragraph in article.paragraphs)


def test_no_article_says_anything_the_reply_would_mask() -> None:
    # The reply masks phone numbers and account numbers; an answer quoting one would reach
    # the customer as "call [phone]".
    for article in load_articles():
        for paragraph in article.paragraphs:
            assert not contains_pii(paragraph), (article.id, paragraph)


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("What are your opening hours on Saturday?", "opening-hours-contact"),
        ("What's your phone number?", "opening-hours-contact"),
        ("I forgot my password", "online-banking-login"),
        ("I can't log in to the app, it says my account is locked", "online-banking-login"),
        ("I moved, how do I change my address?", "change-address"),
        ("How do I update my email address?", "change-address"),
        ("Is there a monthly fee on checking?", "fees-and-charges"),
        ("What fees do you charge for using another bank's ATM?", "fees-and-charges"),
        ("How do I send money abroad?", "international-payments-travel"),
        (
            "I'm travelling to Italy next month, do I need to tell you?",
            "international-payments-travel",
        ),
        ("How do I order a replacement card?", "replacement-card"),
        ("My card is about to expire", "replacement-card"),
        ("How can I order a checkbook?", "cheque-books"),
        ("I need new cheques", "cheque-books"),
        ("How do disputes work?", "disputes"),
        ("I was charged twice by a merchant", "disputes"),
        ("I lost my card", "report-fraud-lost-card"),
        ("I think someone is using my card fraudulently", "report-fraud-lost-card"),
        ("What happens if I go overdrawn?", "overdraft"),
        ("How does overdraft protection work?", "overdraft"),
        ("How do I download a statement?", "statements"),
        ("How do I make a complaint?", "complaints"),
        ("What is your routing number?", "routing-number-direct-deposit"),
        ("How do I set up direct deposit?", "routing-number-direct-deposit"),
    ],
)
def test_a_question_finds_the_article_that_answers_it(question: str, article: str) -> None:
    hits = knowledge_base().search(question)

    assert hits, f"no article for {question!r}"
    assert hits[0].article.id == article


@pytest.mark.parametrize(
    "question",
    [
        "What's the weather like in Paris tomorrow?",
        "Who won the football game last night?",
        "Can you recommend a good pizza place?",
        "What time is it?",
        "Should I buy bitcoin?",
        "Do you sell home insurance?",
        "What is the interest rate on a mortgage?",
        "hello",
        "???",
    ],
)
def test_an_off_topic_question_finds_nothing(question: str) -> None:
    assert knowledge_base().search(question) == []


def test_the_answer_is_the_paragraph_that_says_it() -> None:
    (best, *_rest) = knowledge_base().search("How much is express delivery of a replacement card?")

    assert best.article.id == "replacement-card"
    assert "express delivery in 1 to 2 business days costs $25" in best.paragraph


def test_normalisation_joins_spellings_and_word_forms() -> None:
    assert normalise("charges charged charging") == ["charg"] * 3
    assert normalise("checkbook") == normalise("cheque book")
    assert normalise("How do I log in?") == normalise("login")
    assert normalise("the and of") == []


def test_an_article_without_a_title_is_refused() -> None:
    with pytest.raises(ValueError, match="Title"):
        parse_article("broken", "Just a paragraph.\n\nAnother.")


def test_a_new_article_is_found_once_added() -> None:
    pets = parse_article(
        "pets", "# Guide dogs in branches\n\nGuide dogs are welcome in every branch.\n\nAsk us."
    )
    assert knowledge_base().search("Can I bring my guide dog?") == []

    (hit,) = KnowledgeBase([*load_articles(), pets]).search("Can I bring my guide dog?")

    assert hit.article.title == "Guide dogs in branches"
    assert hit.paragraph == "Guide dogs are welcome in every branch."
