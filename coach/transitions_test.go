package coach_test

import (
	"testing"

	"pipelinecoach/coach"
)

// TestSchedulerTransitions: the scheduler's own changes are Prospect
// transitions that leave a follow-up moved or cleared meanwhile, a
// question recorded by another replica, and an answer alone.
func TestSchedulerTransitions(t *testing.T) {
	p := awaitingProspect()
	now := bdate(11, 26, 20, 0)
	morning := bdate(11, 27, 9, 0)

	p.FollowUpAt = now
	moved, changed := p.Postpone(now, morning)
	if !changed || !moved.FollowUpAt.Equal(morning) {
		t.Errorf("Postpone of a due follow-up: %v, %s", changed, moved.FollowUpAt)
	}
	if _, changed := moved.Postpone(now, bdate(11, 30, 9, 0)); changed {
		t.Error("Postpone moved a follow-up that is no longer due")
	}

	ref := coach.MessageRef{Channel: "D1", TS: "1.2"}
	asked, changed := p.Asked(now, p.Asks+1, ref, morning)
	if !changed || asked.Asks != p.Asks+1 || asked.Prompt != ref || !asked.FollowUpAt.Equal(morning) || asked.State != coach.Awaiting {
		t.Errorf("Asked: %v, asks %d, prompt %+v, follow-up %s, %s", changed, asked.Asks, asked.Prompt, asked.FollowUpAt, asked.State)
	}
	if _, changed := asked.Asked(now, asked.Asks, ref, morning); changed {
		t.Error("Asked recorded the same question twice")
	}
	answered := opportunityProspect(t)
	if got, _ := answered.Asked(now, answered.Asks+1, ref, morning); !got.FollowUpAt.IsZero() || got.State != coach.Opportunity {
		t.Errorf("Asked after an answer: follow-up %s, %s", got.FollowUpAt, got.State)
	}

	quiet := asked.DoneAsking(now, true)
	if !quiet.GoneQuiet() || !quiet.FollowUpAt.IsZero() {
		t.Errorf("DoneAsking quiet: gone quiet %v, follow-up %s", quiet.GoneQuiet(), quiet.FollowUpAt)
	}
	if again := quiet.DoneAsking(now.Add(1), true); len(again.History) != len(quiet.History) {
		t.Error("DoneAsking recorded going quiet twice")
	}
}
