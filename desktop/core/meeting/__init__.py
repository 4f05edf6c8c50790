"""Meetings: the microphone ("You") and the system audio (the others) as one live transcript.

``run.MeetingRun`` composes two live runs; ``merger.MeetingMerger`` puts their words in time
order on a shared clock; ``clock.ClockedSource`` notes when each side's audio started.
"""
