package render_test

import (
	"encoding/json"
	"strings"
	"testing"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// typed is what a hostile person types into every field: a broadcast, a
// mention, a user group and a disguised link. None of it is an id the bot
// writes itself, so finding any of it raw in a payload means typed text
// reached Slack's parser.
var typed = []string{"<!here>", "<!channel>", "<!everyone>", "<@UHOSTILE>", "<!subteam^S0BAD>", "<https://evil.example|Acme>"}

const hostileText = "<!here> <!channel> <!everyone> <@UHOSTILE> <!subteam^S0BAD> <https://evil.example|Acme> & co"

// hostileProspect has hostile text in every field a person types.
func hostileProspect(id string, state coach.State) coach.Prospect {
	p := prospect(id, hostileText, state)
	p.Contact, p.NextStep, p.WaitingOn = hostileText, hostileText, hostileText
	p.Qualification = map[string]string{"budget": hostileText, "authority": hostileText, "need": hostileText, "timeline": hostileText}
	switch state {
	case coach.Opportunity:
		p.SecondMeeting, p.Amount, p.Currency = at(27, 10, 0), 25000, "USD"
		p.WaitingUntil = at(30, 9, 0)
		p.History = append(p.History, coach.Entry{At: at(25, 12, 0), By: "U1", Event: coach.EventConfirmed, From: coach.Awaiting, To: coach.Opportunity})
	case coach.Lost:
		p.Loss = &coach.Loss{Reason: coach.ReasonCompetitor, Lesson: hostileText, SaveMoment: hostileText, Shared: true, Stage: coach.Awaiting, DaysToLose: 3}
		p.History = append(p.History, coach.Entry{At: at(25, 12, 0), By: "U1", Event: coach.EventLost, From: coach.Awaiting, To: coach.Lost})
	}
	return p
}

// TestTypedTextIsEscapedOnEverySurface renders every payload of every
// surface from hostile input and scans all mrkdwn in it, fallback texts
// included, for typed text Slack would parse. Plain text (headers,
// buttons, titles, what a form shows in its inputs) is never parsed by
// Slack, and shows what was typed as it was typed.
func TestTypedTextIsEscapedOnEverySurface(t *testing.T) {
	opp, awaiting, lostOne := hostileProspect("p1", coach.Opportunity), hostileProspect("p2", coach.Awaiting), hostileProspect("p3", coach.Lost)
	scheduled, won := hostileProspect("p4", coach.Scheduled), hostileProspect("p5", coach.Won)
	quiet := hostileProspect("p6", coach.Awaiting)
	quiet.QuietSince = at(25, 12, 0)
	all := []coach.Prospect{opp, awaiting, lostOne, scheduled, won, quiet}
	view := coach.DefaultThresholds.RepView(all, now)
	view.Framework = coach.ChooseFramework("bant", "")
	team := coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1"}, TZ: "Europe/Berlin", Channel: "C1"}
	digest := coach.DefaultThresholds.BuildDigest(team, all, now)
	fw := coach.ChooseFramework("bant", "")

	surfaces := map[string]any{
		"log modal":      render.LogModal(render.LogDraft{Account: hostileText, Contact: hostileText, When: at(26, 10, 0)}, berlin),
		"confirm modal":  render.ConfirmModal(awaiting, coach.SecondMeeting{At: at(27, 10, 0), NextStep: hostileText}, fw, phrase.Convention{}),
		"lose modal":     render.LoseModal(awaiting),
		"update modal":   render.UpdateModal(opp, fw, euro),
		"lose-all modal": render.LoseAllModal([]coach.Prospect{quiet, awaiting}),
		"deal card":      render.DealCard(opp, fw, euro, berlin),
		"deal card lost": render.DealCard(lostOne, fw, english, berlin),
		"home":           render.Home(view, nil, now, berlin),
		"home manager":   render.Home(view, &digest, now, berlin),
		"pipeline":       render.Pipeline(view, now, berlin),
		"cleanup":        render.Cleanup(view, berlin),
		"lessons":        render.Lessons([]coach.Prospect{lostOne}, hostileText),
		"no lessons":     render.Lessons(nil, hostileText),
		"celebration":    render.Celebration(lostOne),
		"logged":         render.Logged(scheduled),
		"updated":        render.Updated(opp),
		"choose":         render.Choose("Which one?", render.ActionLose, all),
		"already":        render.AlreadyDecided(lostOne, "U1", "today"),
		"team admin":     render.TeamAdmin("Done.", team),
		"digest":         render.Digest(digest, now),
		"brief": render.Brief(coach.Brief{Workspace: "T1", Manager: "UM", Rep: "U1", Findings: []coach.Finding{
			{Kind: coach.FindingStalled, Workspace: "T1", Manager: "UM", Rep: "U1", Subject: "p1", Stalled: true, DaysStalled: 16, StalledAfterDays: 14, Deals: []coach.Prospect{opp}},
			{Kind: coach.FindingLateQualification, Workspace: "T1", Manager: "UM", Rep: "U1", Subject: "p2", LateQualification: true, DaysAsOpportunity: 40,
				Framework: hostileText, Missing: []coach.FrameworkItem{{Key: "authority", Name: hostileText, Question: hostileText}}, Deals: []coach.Prospect{opp}},
		}}),
	}
	for _, name := range []string{render.SectionOpportunities, render.SectionNotYet, render.SectionQuiet, render.SectionScheduled, render.SectionLosses} {
		surfaces["see all "+name] = render.AllModal(view, name, berlin)
	}
	for _, p := range all {
		surfaces["decided "+string(p.State)] = render.Decided(p, euro)
		surfaces["answered "+string(p.State)] = render.Answered(p, english)
	}
	for _, kind := range []coach.AskKind{coach.AskFirst, coach.AskReminder, coach.AskCloseOut, coach.AskWaitOver} {
		surfaces["prompt "+string(kind)] = render.Prompt(opp, coach.Ask{Kind: kind, N: 1})
	}
	for name, v := range surfaces {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, text := range parsedTexts(doc) {
			for _, bad := range typed {
				if strings.Contains(text, bad) {
					t.Errorf("%s shows typed %s raw in %q", name, bad, text)
				}
			}
		}
	}
}

// parsedTexts returns every string of a payload Slack parses as mrkdwn: the
// text of mrkdwn text objects and a message's fallback text ("Text", as a
// render.Message marshals, or "text").
func parsedTexts(doc any) []string {
	var out []string
	var walk func(v any, top bool)
	walk = func(v any, top bool) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "mrkdwn" {
				if s, ok := v["text"].(string); ok {
					out = append(out, s)
				}
			}
			if top {
				for _, k := range []string{"Text", "text"} {
					if s, ok := v[k].(string); ok {
						out = append(out, s)
					}
				}
			}
			for _, x := range v {
				walk(x, false)
			}
		case []any:
			for _, x := range v {
				walk(x, top) // a list of messages: each is a top
			}
		}
	}
	walk(doc, true)
	return out
}
