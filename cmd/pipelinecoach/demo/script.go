package demo

import (
	"strings"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// The months of the fortnight.
const nov, dec = time.November, time.December

// play is the scenario: a fortnight of Mia's team, from Monday 23 November
// to Monday 7 December 2026. Times are Berlin time; Omar works in New York
// and Lena in London, and each is asked in their own working hours. Each
// part below is a stretch of days; the steps inside read as the story.
func (d *director) play() {
	d.weeksBefore()         // 28 September to 20 November
	d.teamIsSetUp()         // Monday 23 November, 9:00
	d.firstMeetingsMonday() // Monday 23 November, morning
	d.mondayAnswers()       // Monday 23 November, after the meetings
	d.tuesday()             // 24 November
	d.wednesday()           // 25 November
	d.thursday()            // 26 November
	d.endOfTheFirstWeek()   // Friday 27 to Monday 30 November
	d.contosoGoesQuiet()    // Tuesday 1 to Thursday 3 December
	d.endOfTheSecondWeek()  // Friday 4 to Monday 7 December
	d.theFortnightAddsUp()
}

// weeksBefore: the team's history, so the coaching and the digest's trend
// have something to stand on.
func (d *director) weeksBefore() {
	d.step("The team's eight weeks before: Omar and Lena healthy, Rita's first meetings rarely leading to a second")
	d.history()
}

// teamIsSetUp: Ada makes Mia a manager, and Mia sets up her team.
func (d *director) teamIsSetUp() {
	d.step("Ada, an admin, makes Mia a manager")
	d.at(on(nov, 23, 9, 0))
	d.slash(ada, "admin manager "+mention(mia))
	d.reply(ada, "can now manage a team")

	d.step("Mia puts Rita, Omar and Lena on her team")
	d.at(on(nov, 23, 9, 2))
	d.slash(mia, "team add "+mention(rita)+" "+mention(omar)+" "+mention(lena))
	d.reply(mia, "Added")

	d.step("Mia sends her team's weekly digest to #sales-team")
	d.at(on(nov, 23, 9, 3))
	d.slash(mia, "team channel <#"+sales+"|sales-team>")
	d.post(sales, "weekly pipeline digest")
	d.reply(mia, "Digest channel set")

	d.step("Mia sets the team's time zone")
	d.at(on(nov, 23, 9, 4))
	d.slash(mia, "team timezone Europe/Berlin")
	d.reply(mia, "Monday 09:00")
}

// firstMeetingsMonday: the reps' first meetings of the week, one from a
// calendar.
func (d *director) firstMeetingsMonday() {
	d.step("Rita's calendar has a first meeting with Acme today, and the follow-up on Thursday; the bot finds it without a word")
	before := len(d.prospects(rita)) // her weeks before
	d.meeting(rita, "acme-intro", "Acme intro", on(nov, 23, 10, 0), 45*time.Minute, "jane.doe@acme.com", "Jane Doe")
	d.meeting(rita, "acme-next", "Acme — follow-up", on(nov, 26, 10, 0), time.Hour, "jane.doe@acme.com", "Jane Doe")
	d.meeting(rita, "standup", "Team stand-up", on(nov, 23, 9, 45), 15*time.Minute, "omar@northstar.example", "Omar Haddad")
	d.at(on(nov, 23, 9, 30))
	d.state(rita, "Acme", coach.Scheduled)
	d.check(d.count(d.sim.DMChannel(rita), anything) == 0, "Rita got a message when her calendar was read")

	d.step("Rita logs a first meeting her calendar does not hold; neither is pipeline")
	d.at(on(nov, 23, 9, 32))
	d.slash(rita, "log Globex today 11:30 with Hank Scorpio")
	d.reply(rita, "Logged a first meeting with *Globex*", "not pipeline yet")
	d.state(rita, "Globex", coach.Scheduled)
	d.check(len(d.prospects(rita)) == before+2, "the stand-up with a colleague became a prospect")

	d.step("Lena, in London, logs a first meeting")
	d.at(on(nov, 23, 9, 40))
	d.slash(lena, "log Contoso today 9am with Priya Shah")
	d.reply(lena, "Logged a first meeting with *Contoso*")
}

// mondayAnswers: the questions after the first meetings, a confirmed
// second meeting and a fast loss.
func (d *director) mondayAnswers() {
	d.step("After their meetings, Rita is asked about Acme and Lena about Contoso")
	d.at(on(nov, 23, 11, 14))
	d.check(d.count(d.sim.DMChannel(rita), anything) == 0, "Rita was asked before her meeting had ended + 30 minutes")
	d.at(on(nov, 23, 11, 20))
	prompt := d.dm(rita, "How did the first meeting with *Acme* go", "I see *Acme — follow-up* on Thu Nov 26, 10:00 on your calendar. *Is that the second meeting?*")
	d.dm(lena, "How did the first meeting with *Contoso* go", "Did you book a second meeting?")

	d.step("Rita clicks “Add details”: the form has the follow-up's date; she adds an amount and a next step, and Acme becomes an opportunity")
	d.click(rita, prompt, render.ActionYes)
	form := d.modal(rita, render.ViewConfirm)
	d.check(strings.Contains(string(form.Raw), `"initial_date":"2026-11-26"`), "the form is not prefilled with the calendar's follow-up")
	d.submit(rita, form, map[string]string{
		render.InputSecondDate: "2026-11-26", render.InputSecondTime: "10:00",
		render.InputAmount: "€25k", render.InputNextStep: "Demo for the ops team",
		render.QualificationInput("need"): "Forecasts live in spreadsheets; two days lost every month",
	})
	d.dm(rita, "*Acme* is an opportunity: second meeting Thu Nov 26, 10:00")
	d.state(rita, "Acme", coach.Opportunity)

	d.step("Acme lands in HubSpot on the scheduler's next run, owned by Rita — and nothing of Contoso, which has no second meeting")
	d.at(on(nov, 23, 11, 21))
	deals := d.crm.Deals()
	d.check(len(deals) == 1 && deals[0].Properties["dealname"] == "Acme" && deals[0].Properties["amount"] == "25000" &&
		deals[0].Company["name"] == "Acme", "HubSpot holds %d deals, want Acme alone with its amount and company: %+v", len(deals), deals)

	d.step("Lena does not answer: Contoso waits, and is not pipeline")
	d.at(on(nov, 23, 12, 20))
	d.state(lena, "Contoso", coach.Awaiting)

	d.step("Rita is asked about Globex and loses it fast, sharing the lesson; #wins celebrates")
	d.at(on(nov, 23, 12, 50))
	prompt = d.dm(rita, "How did the first meeting with *Globex* go")
	d.click(rita, prompt, render.ActionLose)
	form = d.modal(rita, render.ViewLose)
	d.submit(rita, form, map[string]string{
		render.InputReason:     string(coach.ReasonStatusQuo),
		render.InputSaveMoment: "In the first ten minutes, when they said the spreadsheet works fine",
		render.InputLesson:     "Ask what the spreadsheet costs them before showing anything",
		render.InputShare:      render.ShareOptionValue,
	})
	d.dm(rita, "*Globex* is lost")
	d.post(wins, "lost *Globex*", "Lightning fast", "Ask what the spreadsheet costs them")

	d.step("Omar, in New York, logs a first meeting")
	d.at(on(nov, 23, 15, 0))
	d.slash(omar, "log Northwind today 10am with Sam Lee")
	d.reply(omar, "Logged a first meeting with *Northwind*")

	d.step("Omar is asked about Northwind and answers in words: “yes, thu 2pm”")
	d.at(on(nov, 23, 17, 20))
	d.dm(omar, "How did the first meeting with *Northwind* go")
	d.say(omar, "yes, thu 2pm")
	d.dm(omar, "*Northwind* is an opportunity: second meeting Thu Nov 26, 14:00")
	d.state(omar, "Northwind", coach.Opportunity)
}

// tuesday: one coaching brief Mia acts on, more first meetings, losses in
// words and a "not yet".
func (d *director) tuesday() {
	d.step("Mia gets one coaching brief, about Rita: the pattern with the numbers against the team's, the deals, what goes well, questions")
	d.at(on(nov, 24, 9, 0))
	brief := d.dm(mia, "Coaching brief", "First meetings rarely lead to a second", "the team's:", "Going well", "Questions to coach the how")
	d.check(d.count(d.sim.DMChannel(mia), isBrief) == 1, "Mia got %d briefs on her first morning, want one (about Rita)", d.count(d.sim.DMChannel(mia), isBrief))

	d.step("Mia talks it through with Rita and marks the brief discussed")
	d.at(on(nov, 24, 9, 30))
	d.click(mia, brief, render.ActionNudgeDiscussed)
	d.dm(mia, "Discussed — this one stays quiet until")

	d.step("Rita logs three more first meetings; one already happened and is asked about at once")
	d.at(on(nov, 24, 9, 30))
	d.slash(rita, "log Initech yesterday 4pm with Bill Lumbergh")
	d.reply(rita, "Logged a first meeting with *Initech*")
	d.dm(rita, "How did the first meeting with *Initech* go")
	d.at(on(nov, 24, 9, 31))
	d.slash(rita, "log Umbrella today 10am with Albert Wesker")
	d.reply(rita, "Logged a first meeting with *Umbrella*")
	d.at(on(nov, 24, 9, 32))
	d.slash(rita, "log Hooli today 11am with Gavin Belson")
	d.reply(rita, "Logged a first meeting with *Hooli*")

	d.step("Rita says no to Initech in words")
	d.at(on(nov, 24, 9, 45))
	d.say(rita, "initech no")
	d.dm(rita, "*Initech* is lost")

	d.step("Rita is asked about Umbrella and Hooli, and says no to Umbrella")
	d.at(on(nov, 24, 12, 30))
	d.dm(rita, "*Umbrella*", "Did you book a second meeting?")
	d.dm(rita, "*Hooli*", "Did you book a second meeting?")
	d.say(rita, "umbrella no")
	d.dm(rita, "*Umbrella* is lost")

	d.step("Omar logs Fabrikam")
	d.at(on(nov, 24, 15, 0))
	d.slash(omar, "log Fabrikam today 11am with Dana Scully")
	d.reply(omar, "Logged a first meeting with *Fabrikam*")

	d.step("Omar is asked about Fabrikam and clicks “Not yet”")
	d.at(on(nov, 24, 18, 20))
	prompt := d.dm(omar, "How did the first meeting with *Fabrikam* go")
	d.click(omar, prompt, render.ActionNotYet)
	d.dm(omar, "*Fabrikam*: no second meeting yet. I'll ask again")
	d.state(omar, "Fabrikam", coach.Awaiting)
}

// wednesday: a private loss, and the first reminder.
func (d *director) wednesday() {
	d.step("Rita closes out Hooli with /pipeline lost, and keeps the debrief private")
	d.at(on(nov, 25, 10, 0))
	d.slash(rita, "lost hooli")
	form := d.modal(rita, render.ViewLose)
	d.submit(rita, form, map[string]string{
		render.InputReason: string(coach.ReasonCompetitor),
		render.InputLesson: "Ask early who else they are talking to",
		render.InputShare:  "",
	})
	d.dm(rita, "*Hooli* is lost")
	d.state(rita, "Hooli", coach.Lost)
	d.check(d.count(wins, anything) == 1, "#wins has %d posts; a private loss must not be posted", d.count(wins, anything))

	d.step("Lena is reminded about Contoso")
	d.at(on(nov, 25, 12, 20))
	d.dm(lena, "*Contoso*", "is a second meeting booked yet?")
}

// thursday: a reminder answered with a second meeting.
func (d *director) thursday() {
	d.step("Omar is reminded about Fabrikam, clicks “Yes, booked” and fills in the form")
	d.at(on(nov, 26, 18, 30))
	prompt := d.dm(omar, "*Fabrikam*", "is a second meeting booked yet?")
	d.click(omar, prompt, render.ActionYes)
	form := d.modal(omar, render.ViewConfirm)
	d.submit(omar, form, map[string]string{
		render.InputSecondDate: "2026-12-01", render.InputSecondTime: "11:00",
		render.InputAmount: "$40k", render.InputNextStep: "Security review with their IT lead",
		render.QualificationInput("authority"): "Dana signs up to $50k; the CFO above that",
	})
	d.dm(omar, "*Fabrikam* is an opportunity: second meeting Tue Dec 1, 11:00")
	d.state(omar, "Fabrikam", coach.Opportunity)
}

// endOfTheFirstWeek: the second reminder and Monday's digest.
func (d *director) endOfTheFirstWeek() {
	d.step("Lena is reminded about Contoso a second time")
	d.at(on(nov, 27, 12, 30))
	d.dm(lena, "*Contoso*", "is a second meeting booked yet?")

	// Monday 30 November.
	d.step("Monday 09:00: the weekly digest is posted to #sales-team: the reps as a table, the last weeks as two charts")
	d.at(on(nov, 30, 9, 0))
	d.post(sales, "Weekly pipeline digest", "Reps: this week's meetings", "First→second conversion", "Pipeline integrity", "Globex", "Ask what the spreadsheet costs them")
}

// contosoGoesQuiet: no second brief a week on; the close-out question goes
// unanswered, and the prospect goes quiet and never becomes pipeline.
func (d *director) contosoGoesQuiet() {
	d.step("A week on, no second brief: what Mia discussed with Rita stays quiet, and nobody else has a problem")
	d.at(on(dec, 1, 10, 0))
	d.check(d.count(d.sim.DMChannel(mia), isBrief) == 1, "Mia has %d briefs, want still one", d.count(d.sim.DMChannel(mia), isBrief))

	d.step("Lena gets the last question about Contoso: close it out?")
	d.at(on(dec, 1, 12, 30))
	d.dm(lena, "*Contoso* still has no second meeting", "Close it out?")

	// Thursday 3 December.
	d.step("Nobody answered: Contoso has gone quiet, and it never became pipeline")
	d.at(on(dec, 3, 12, 30))
	p := d.state(lena, "Contoso", coach.Awaiting)
	d.check(p.GoneQuiet(), "Contoso has not gone quiet: %+v", p)
	d.check(d.count(d.sim.DMChannel(lena), asked) == 4, "Lena was asked %d times, want 4 (first, 2 reminders, close-out)", d.count(d.sim.DMChannel(lena), asked))
}

// endOfTheSecondWeek: a win, the second digest, and Mia's and Lena's Home
// tabs.
func (d *director) endOfTheSecondWeek() {
	d.step("Rita wins Acme")
	d.at(on(dec, 4, 10, 0))
	d.slash(rita, "won acme")
	d.reply(rita, "*Acme* won")
	d.state(rita, "Acme", coach.Won)

	// Monday 7 December.
	d.step("Monday 09:00: the second digest shows the prospect gone quiet")
	d.at(on(dec, 7, 9, 0))
	d.post(sales, "Weekly pipeline digest", "1 prospect gone quiet")

	d.step("Mia opens the app's Home tab: her team's trend as charts and her reps as a table")
	d.at(on(dec, 7, 9, 20))
	d.home(mia, "Your team")
	mhome, _ := d.sim.Home(mia)
	d.check(strings.Contains(mhome.AllText(), "Pipeline integrity") && strings.Contains(mhome.AllText(), "Reps: this week's meetings"),
		"Mia's Home lacks the charts or the table:\n%s", mhome.AllText())

	d.step("Lena opens the app's Home tab and sees Contoso gone quiet")
	d.at(on(dec, 7, 9, 30))
	d.home(lena, "Contoso")
	home, _ := d.sim.Home(lena)
	d.check(strings.Contains(home.AllText(), "Gone quiet"), "Lena's Home does not show Contoso as gone quiet:\n%s", home.AllText())
}

// theFortnightAddsUp checks the whole: one celebration, two digests, and
// nothing became pipeline without a second meeting.
func (d *director) theFortnightAddsUp() {
	d.step("The fortnight adds up: one celebration, two digests, only confirmed deals became pipeline")
	d.check(d.count(wins, anything) == 1, "#wins has %d posts, want exactly one celebration", d.count(wins, anything))
	d.check(d.count(sales, func(m slacksim.Message) bool { return strings.Contains(m.AllText(), "Weekly pipeline digest") }) >= 2, "fewer than two digests in #sales-team")
	for _, rep := range []string{rita, omar, lena} {
		ps, err := d.store.ProspectsOf(d.ctx, d.sim.TeamID(), rep)
		if err != nil {
			d.fail("read prospects: %v", err)
			break
		}
		for _, p := range ps {
			if (p.State == coach.Opportunity || p.State == coach.Won) && p.SecondMeeting.IsZero() {
				d.fail("%s became pipeline without a second meeting", p.Account)
			}
		}
	}
}

func anything(slacksim.Message) bool { return true }

// isBrief reports whether a message is a coaching brief (answered or not).
func isBrief(m slacksim.Message) bool { return strings.Contains(m.AllText(), "Coaching brief") }

// asked reports whether a message asks about a second meeting (first
// question, reminder or close-out).
func asked(m slacksim.Message) bool {
	for _, b := range m.Buttons() {
		if b.ActionID == render.ActionNotYet {
			return true
		}
	}
	return false
}
