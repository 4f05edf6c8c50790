"""The meeting merger alone: two sides' words, fed as a session would, come out in time order."""

from __future__ import annotations

from desktop.core.meeting.merger import MeetingMerger, Side
from desktop.core.tokens import Token
from desktop.core.transcript import Transcript


def word(text: str, start: int, speaker: str | None = None, *, final: bool = True) -> Token:
    return Token(text=text, start_ms=start, end_ms=start + 200, is_final=final, speaker=speaker)


def feed(merger: MeetingMerger, transcript: Transcript) -> None:
    transcript.apply(merger.take().tokens)


def lines(transcript: Transcript) -> list[str]:
    return [f"{transcript.speaker_label(s.speaker)}: {s.text.strip()}" for s in transcript.segments()]


def test_words_wait_for_the_other_side_and_come_out_in_time_order() -> None:
    merger, transcript = MeetingMerger(), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 0)
    # The other side's words at 1.0 s arrive first; the microphone has only reached 0.5 s.
    merger.add_finals(Side.OTHERS, [word(" How", 1000, "1"), word(" are", 1300, "1")])
    merger.advance(Side.OTHERS, 1600)
    merger.advance(Side.YOU, 500)
    feed(merger, transcript)
    assert transcript.text() == ""  # nothing is certain yet...
    assert "".join(t.text for t in transcript.tail_tokens) == " How are"  # ...but it is shown
    # Then the microphone's "Hi" at 0.6 s turns final: it goes first.
    merger.add_finals(Side.YOU, [word("Hi", 600)])
    merger.advance(Side.YOU, 1700)
    feed(merger, transcript)
    assert lines(transcript) == ["You: Hi", "Speaker 1: How are"]
    assert transcript.tail_tokens == ()
    assert merger.late_tokens == 0


def test_each_side_is_placed_by_its_own_start_offset() -> None:
    merger, transcript = MeetingMerger(), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 800)  # the system audio's first audio came 0.8 s later
    merger.add_finals(Side.OTHERS, [word(" first", 100, "1")])  # 0.9 s on the shared clock
    merger.add_finals(Side.YOU, [word(" second", 850)])  # 0.85 s
    merger.end(Side.YOU)
    merger.end(Side.OTHERS)
    feed(merger, transcript)
    assert [t.text for t in transcript.final_tokens] == [" second", " first"]
    assert [t.start_ms for t in transcript.final_tokens] == [850, 900]


def test_provisional_words_of_both_sides_show_in_time_order() -> None:
    merger, transcript = MeetingMerger(), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 0)
    merger.set_tail(Side.OTHERS, [word(" yes", 400, "2", final=False)])
    merger.set_tail(Side.YOU, [word(" so", 100, final=False)])
    feed(merger, transcript)
    tail = transcript.tail_tokens
    assert [(t.text, t.speaker) for t in tail] == [(" so", "you"), (" yes", "2")]
    assert transcript.speaker_label("2") == "Speaker 2"


def test_a_side_that_ended_holds_nothing_back() -> None:
    merger, transcript = MeetingMerger(), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 0)
    merger.add_finals(Side.YOU, [word("alone", 5000)])
    merger.advance(Side.YOU, 5500)
    feed(merger, transcript)
    assert transcript.text() == ""
    merger.end(Side.OTHERS)  # the system audio went away
    feed(merger, transcript)
    assert lines(transcript) == ["You: alone"]


def test_a_side_far_behind_stops_holding_the_other_after_the_limit() -> None:
    merger, transcript = MeetingMerger(max_hold_ms=3000), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 0)
    merger.advance(Side.OTHERS, 1000)  # then the system side reconnects for a long time
    merger.add_finals(Side.YOU, [word(" early", 2000), word(" later", 4500)])
    merger.advance(Side.YOU, 4800)
    feed(merger, transcript)
    assert transcript.text() == ""  # 2.0 s is less than 3 s behind 4.8 s: still held
    merger.advance(Side.YOU, 5200)
    feed(merger, transcript)
    assert transcript.text() == "early"  # now more than 3 s behind: released, "later" still held
    merger.advance(Side.YOU, 8000)
    feed(merger, transcript)
    assert transcript.text() == "early later"
    # The late side comes back with a word from before: it is kept, appended, and counted.
    merger.add_finals(Side.OTHERS, [word(" back", 3000, "1")])
    merger.advance(Side.OTHERS, 8000)
    feed(merger, transcript)
    assert lines(transcript) == ["You: early later", "Speaker 1: back"]
    assert merger.late_tokens == 1


def test_speakers_have_separate_id_spaces_and_rename_apart() -> None:
    merger, transcript = MeetingMerger(), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 0)
    merger.add_finals(Side.YOU, [Token(text="mine", start_ms=0, end_ms=100, speaker="1")])  # an id it should not keep
    merger.add_finals(Side.OTHERS, [word(" theirs", 200), word(" too", 400, "2")])  # no id: the first speaker
    merger.end(Side.YOU)
    merger.end(Side.OTHERS)
    feed(merger, transcript)
    assert transcript.speakers == ["you", "1", "2"]
    transcript.rename_speaker("you", "Ana")
    transcript.rename_speaker("1", "Bo")
    assert lines(transcript) == ["Ana: mine", "Bo: theirs", "Speaker 2: too"]
    transcript.rename_speaker("you", "")
    assert transcript.speaker_label("you") == "You"


class ListeningGuard:
    """A test double with the echo guard's interface: "echo" of any word the others said."""

    def __init__(self) -> None:
        self.others: list[tuple[str, int, int]] = []

    def heard_others(self, token_text: str, start_ms: int, end_ms: int) -> None:
        self.others.append((token_text.strip(), start_ms, end_ms))

    def accept_you(self, token_text: str, start_ms: int, end_ms: int) -> bool:
        return not any(text == token_text.strip() and abs(s - start_ms) < 500 for text, s, _ in self.others)


def test_the_echo_guard_drops_you_words_that_echo_the_other_side() -> None:
    guard = ListeningGuard()
    merger, transcript = MeetingMerger(echo_guard=guard), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 0)
    merger.add_finals(Side.OTHERS, [word(" budget", 1000, "1")])
    merger.add_finals(Side.YOU, [word(" budget", 1100), word(" agreed", 2000)])
    merger.end(Side.YOU)
    merger.end(Side.OTHERS)
    feed(merger, transcript)
    assert lines(transcript) == ["Speaker 1: budget", "You: agreed"]
    assert guard.others == [("budget", 1000, 1200)]
    assert merger.echoes_dropped == 1
