"""Full-text search: query syntax, snippets at the match, newest first, paging, titles, cancel."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop.core.library.chunks import MAX_WORDS, chunk_tokens
from desktop.core.library.search import (
    MARK_END,
    MARK_START,
    LibrarySearch,
    SearchCanceled,
    build_fts_query,
    make_snippet,
    parse_terms,
)
from desktop.core.library.store import Library
from desktop.core.transcript import Token
from tests.library_helpers import spoken_tokens


@pytest.fixture
def library(tmp_path: Path):  # noqa: ANN201
    lib = Library.open(tmp_path / "data")
    yield lib
    lib.close()


@pytest.fixture
def search(library: Library):  # noqa: ANN201
    s = LibrarySearch(library.path)
    yield s
    s.close()


def _add(library: Library, title: str, tokens: list[Token]) -> int:
    tid = library.begin_live(title=title, source_kind="microphone")
    library.append_tokens(tid, tokens)
    library.finish_live(tid)
    return tid


def test_query_building_quotes_everything_and_prefixes_the_word_being_typed() -> None:
    assert build_fts_query("budget") == '"budget"*'
    assert build_fts_query("budget ") == '"budget"'
    assert build_fts_query("bu") == '"bu"'  # too short to be a useful prefix
    assert build_fts_query('"project plan" fri') == '"project plan" "fri"*'
    assert build_fts_query('"project plan"') == '"project plan"'
    assert build_fts_query("NOT a-b: c*") == '"NOT" "a" "b" "c"'
    assert build_fts_query('  "" ; ') is None


def test_passages_split_at_turns_endpoints_and_length() -> None:
    tokens = spoken_tokens(130, speakers=2, words_per_turn=100)
    chunks = chunk_tokens((i, i, t) for i, t in enumerate(tokens))
    assert all(len(c.text.split()) <= MAX_WORDS for c in chunks)
    assert {c.speaker for c in chunks} == {"1", "2"}
    turn_break = next(i for i, t in enumerate(tokens) if t.is_end)
    assert any(c.last_seq == turn_break for c in chunks)  # a passage ends at the endpoint
    # Together the passages cover every token exactly once, in order.
    covered = [s for c in chunks for s in range(c.first_seq, c.last_seq + 1)]
    assert covered == sorted(set(covered)) and covered[0] == 0


def test_a_hit_points_at_the_passage_and_marks_the_words(library: Library, search: LibrarySearch) -> None:
    tokens = spoken_tokens(200, seed=1, vocabulary=["alpha", "beta", "gamma"])
    tokens[150] = Token(" marmalade", 45_000, 45_260, 0.9, True, "1", "en")
    tid = _add(library, "Breakfast", tokens)
    page = search.search("marmal")
    assert [r.info.id for r in page.results] == [tid]
    result = page.results[0]
    assert result.hit_count == 1
    hit = result.hits[0]
    assert hit.first_seq <= 150 <= hit.last_seq
    assert hit.start_ms is not None and hit.start_ms <= 45_000
    assert f"{MARK_START}marmalade{MARK_END}" in hit.snippet
    assert page.terms == ("marmal",)


def test_results_come_newest_first_and_page(library: Library, search: LibrarySearch) -> None:
    ids = [_add(library, f"t{i}", spoken_tokens(40, seed=i, vocabulary=["fox", "dog"])) for i in range(7)]
    page = search.search("fox", limit=3)
    assert [r.info.id for r in page.results] == ids[::-1][:3]
    assert page.next_cursor is not None
    rest = search.search("fox", limit=10, before=page.next_cursor)
    assert [r.info.id for r in rest.results] == ids[::-1][3:]
    assert rest.next_cursor is None


def test_every_word_must_match_and_phrases_keep_order(library: Library, search: LibrarySearch) -> None:
    a = _add(library, "a", [Token(" the project plan slipped", 0, 900, 0.9, True, "1")])
    b = _add(library, "b", [Token(" plan the project", 0, 900, 0.9, True, "1")])
    assert {r.info.id for r in search.search("project plan ").results} == {a, b}
    assert [r.info.id for r in search.search('"project plan"').results] == [a]
    assert search.search("project zebra ").results == ()


def test_words_may_be_in_different_passages(library: Library, search: LibrarySearch) -> None:
    tokens = spoken_tokens(200, seed=5, vocabulary=["alpha", "beta"], words_per_turn=20)
    tokens[10] = Token(" budget", 3000, 3200, 0.9, True, "1")  # first passage
    tokens[180] = Token(" review", 54000, 54200, 0.9, True, "1")  # a much later one
    apart = _add(library, "apart", tokens)
    together = _add(library, "together", [Token(" budget review today", 0, 900, 0.9, True, "1")])
    only_one = _add(library, "only one", [Token(" budget talk", 0, 900, 0.9, True, "1")])
    results = {r.info.id: r for r in search.search("budget review ").results}
    assert set(results) == {apart, together} and only_one not in results
    assert results[apart].hit_count == 2  # both passages, each with one of the words
    marked = results[apart].hits[0].snippet
    assert f"{MARK_START}budget{MARK_END}" in marked or f"{MARK_START}review{MARK_END}" in marked
    both = results[together].hits[0].snippet
    assert f"{MARK_START}budget{MARK_END}" in both and f"{MARK_START}review{MARK_END}" in both


def test_a_rare_word_in_an_old_transcript_is_found_past_many_common_ones(
    library: Library, search: LibrarySearch
) -> None:
    old = _add(library, "old", [Token(" the quetzal flew", 0, 900, 0.9, True, "1")])
    for i in range(60):
        _add(library, f"n{i}", [Token(" the usual words", 0, 900, 0.9, True, "1")])
    page = search.search("the quetzal ")
    assert [r.info.id for r in page.results] == [old]


def test_titles_match_too_and_come_first(library: Library, search: LibrarySearch) -> None:
    titled = _add(library, "Quarterly budget review", spoken_tokens(20, vocabulary=["x"]))
    spoken = _add(library, "Other", [Token(" the budget is fine", 0, 900, 0.9, True, "1")])
    results = search.search("budget").results
    assert [r.info.id for r in results] == [titled, spoken]
    assert results[0].title_match and results[0].hits == ()
    assert not results[1].title_match and results[1].hit_count == 1


def test_diacritics_and_case_do_not_matter(library: Library, search: LibrarySearch) -> None:
    tid = _add(library, "fr", [Token(" Réunion à Genève", 0, 900, 0.9, True, "1", "fr")])
    assert [r.info.id for r in search.search("reunion geneve ").results] == [tid]


def test_a_live_session_is_searchable_while_it_runs(library: Library, search: LibrarySearch) -> None:
    tid = library.begin_live(title="now", source_kind="microphone")
    library.append_tokens(tid, [*spoken_tokens(100, seed=2), Token(" zeppelin.", 99000, 99300, 0.9, True, "1")])
    library.append_tokens(tid, spoken_tokens(60, seed=5, start_ms=100_000))  # closes the passage
    assert [r.info.id for r in search.search("zeppelin").results] == [tid]


def test_a_corrected_word_is_found_and_the_original_is_not(library: Library, search: LibrarySearch) -> None:
    tid = _add(library, "t", [Token(" meet at noon", 0, 900, 0.9, True, "1")])
    library.edit(tid, 0, 0, "meet at midnight")
    assert [r.info.id for r in search.search("midnight").results] == [tid]
    assert search.search("noon").results == ()


def test_a_running_query_can_be_cancelled_from_another_thread(library: Library, search: LibrarySearch) -> None:
    for i in range(30):
        _add(library, f"t{i}", spoken_tokens(400, seed=i))
    started = threading.Event()
    outcome: list[object] = []
    original = search._search

    def slow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        conn = args[0]
        conn.set_progress_handler(lambda: (started.set(), 0)[1], 1000)
        try:
            while True:  # keeps querying until interrupted
                original(*args, **kwargs)
        finally:
            conn.set_progress_handler(None, 0)

    search._search = slow  # type: ignore[method-assign]

    def run() -> None:
        try:
            search.search("the")
        except SearchCanceled as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(10)
    search.cancel()
    worker.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], SearchCanceled)


def test_snippets_cut_around_the_first_match_and_mark_every_query_word() -> None:
    text = " ".join(f"w{i}" for i in range(40)) + " the Budget review is Réunion-ready, budgeting too."
    snippet = make_snippet(text, parse_terms("budget reunion budg"), size=10)
    assert snippet.startswith("…") and not snippet.endswith("…")
    assert f"{MARK_START}Budget{MARK_END}" in snippet  # case kept as written
    assert f"{MARK_START}Réunion{MARK_END}" in snippet  # diacritics ignored when comparing
    assert f"{MARK_START}budgeting{MARK_END}" in snippet  # the word being typed is a prefix
    assert "review" in snippet and MARK_START + "review" not in snippet
    short = make_snippet("Budget first.", parse_terms("budget "))
    assert short == f"{MARK_START}Budget{MARK_END} first."


def test_paging_never_repeats_a_transcript_its_title_already_showed(library: Library, search: LibrarySearch) -> None:
    said = [Token(" the zeppelin landed", 0, 900, 0.9, True, "1")]
    titled = [_add(library, f"Zeppelin notes {i}", said) for i in range(3)]
    spoken_only = [_add(library, f"Call {i}", said) for i in range(7)]
    seen: list[int] = []
    page = search.search("zeppelin", limit=4)
    seen += [r.info.id for r in page.results]
    while page.next_cursor is not None:
        page = search.search("zeppelin", limit=4, before=page.next_cursor)
        seen += [r.info.id for r in page.results]
    assert len(seen) == len(set(seen)), seen
    assert sorted(seen) == sorted(titled + spoken_only)
