package demo

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
)

// The HTML page: one self-contained file (inline CSS, no script, no
// external asset) that looks like Slack: a sidebar of channels and direct
// messages, each conversation with its messages, buttons, forms and the
// Home tab. Every text goes through html/template.

// page is what the template renders.
type page struct {
	Passed   bool
	Err      string
	Steps    []stepResult
	Cast     []person
	Channels []conversation
	DMs      []conversation
	From, To string
}

// conversation is a channel or a DM and what happened in it.
type conversation struct {
	ID, Name, Topic string
	Items           []item
}

// item is one entry as a conversation shows it.
type item struct {
	DayBreak string // the day, when it changes
	Time     string
	Kind     string // slash, say, click, submit, home, post, edit, delete
	Who      string
	Initials string
	Color    int // 0 is the bot
	Only     string
	Edited   string
	Text     rich
	Blocks   []block
	Title    string
	Submit   string
	Button   string
	Errors   []string
}

// writeHTMLFile writes the page to path.
func (t transcript) writeHTMLFile(path string) error {
	var buf bytes.Buffer
	if err := t.writeHTML(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// writeHTML writes the page.
func (t transcript) writeHTML(w io.Writer) error {
	p := page{Passed: t.err == nil, Steps: t.steps, Cast: cast, From: start.In(berlin).Format("Monday 2 January 2006")}
	if t.err != nil {
		p.Err = t.err.Error()
	}
	if n := len(t.rec.entries); n > 0 {
		p.To = t.rec.entries[n-1].At.In(berlin).Format("Monday 2 January 2006")
	}
	for _, c := range channels {
		p.Channels = append(p.Channels, t.conversation(c.ID, "# "+c.Name, c.Topic))
	}
	for _, person := range cast {
		dm := "D" + person.ID
		conv := t.conversation(dm, person.Full, fmt.Sprintf("%s's direct messages with Pipeline Coach, and the app's Home tab (%s)", person.Name, person.Role))
		if len(conv.Items) > 0 {
			p.DMs = append(p.DMs, conv)
		}
	}
	return pageTemplate.Execute(w, p)
}

func (t transcript) conversation(id, name, topic string) conversation {
	c := conversation{ID: "c-" + strings.ToLower(id), Name: name, Topic: topic}
	n := t.rec.names
	day := ""
	for _, e := range t.rec.entries {
		if e.Conv != id {
			continue
		}
		it := item{Time: e.At.In(berlin).Format("15:04"), Who: "Pipeline Coach", Initials: "PC", Text: e.Text,
			Blocks: e.Blocks, Title: e.Title, Submit: e.Submit, Button: e.Button, Errors: e.Errors}
		if d := e.At.In(berlin).Format("Monday, 2 January"); d != day {
			day, it.DayBreak = d, d
		}
		if e.Who != "" {
			it.Who = n.user(e.Who, "")
			for _, p := range cast {
				if p.ID == e.Who {
					it.Who, it.Color, it.Initials = p.Full, p.Color, initials(p.Full)
				}
			}
		}
		it.Kind = [...]string{kindSlash: "slash", kindSay: "say", kindClick: "click", kindSubmit: "submit",
			kindHome: "home", kindPost: "post", kindEdit: "edit", kindDelete: "delete"}[e.Kind]
		if e.To != "" {
			it.Only = "Only visible to " + n.user(e.To, "")
		}
		if e.Kind == kindEdit || e.Kind == kindDelete {
			it.Edited = "its message of " + shortStamp(e.Orig, e.At)
		}
		c.Items = append(c.Items, it)
	}
	return c
}

func initials(full string) string {
	var out []rune
	for _, w := range strings.Fields(full) {
		out = append(out, []rune(w)[0])
	}
	return string(out)
}

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// The page is XHTML-compatible markup (void elements closed) so a plain XML
// parser can check it is well-formed.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Pipeline Coach demo</title>
<style>
* { box-sizing: border-box; }
body { margin: 0; font-family: Lato, "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.46; color: #1d1c1d; background: #fff; }
.app { display: grid; grid-template-columns: 260px 1fr; min-height: 100vh; }
nav { background: #3f0e40; color: #cfc3cf; position: sticky; top: 0; height: 100vh; overflow-y: auto; padding-bottom: 24px; }
nav .ws { color: #fff; font-weight: 900; font-size: 18px; padding: 14px 16px; border-bottom: 1px solid #5d2c5d; }
nav .ws small { display: block; font-weight: 400; font-size: 12px; color: #cfc3cf; }
nav h2 { font-size: 13px; font-weight: 700; margin: 18px 16px 4px; color: #cfc3cf; }
nav a { display: block; padding: 3px 16px 3px 26px; color: #cfc3cf; text-decoration: none; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
nav a:hover { background: #350d36; color: #fff; }
nav a .n { float: right; font-size: 12px; opacity: .7; }
main { min-width: 0; }
section.conv, section.intro { border-bottom: 8px solid #f4ede4; padding-bottom: 12px; }
section.conv h1, section.intro h1 { font-size: 18px; margin: 0; padding: 14px 20px 2px; }
.topic { color: #616061; font-size: 13px; padding: 0 20px 10px; border-bottom: 1px solid #e8e8e8; }
.intro p, .intro ol, .intro ul { margin: 8px 20px; }
.intro li { margin: 2px 0; }
.ok { color: #007a5a; font-weight: 700; }
.bad { color: #e01e5a; font-weight: 700; }
.skip { color: #8d8d8d; }
.day { display: flex; align-items: center; margin: 14px 0 4px; color: #1d1c1d; font-size: 13px; font-weight: 700; }
.day::before, .day::after { content: ""; flex: 1; border-top: 1px solid #e8e8e8; }
.day span { border: 1px solid #e8e8e8; border-radius: 24px; padding: 2px 14px; margin: 0 8px; }
.msg { display: flex; gap: 10px; padding: 6px 20px; }
.msg:hover { background: #f8f8f8; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 6px; color: #fff; font-weight: 900; font-size: 14px; display: flex; align-items: center; justify-content: center; }
.c0 { background: #4a154b; } .c1 { background: #e01e5a; } .c2 { background: #2eb67d; } .c3 { background: #1264a3; } .c4 { background: #ecb22e; } .c5 { background: #616061; } .c6 { background: #36c5f0; }
.body { min-width: 0; flex: 1; }
.meta { font-size: 13px; color: #616061; }
.meta b { color: #1d1c1d; font-size: 15px; margin-right: 4px; }
.badge { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700; border-radius: 2px; padding: 1px 3px; margin-right: 4px; }
.only { color: #616061; font-size: 12px; }
.edited { color: #616061; font-size: 12px; }
.txt { white-space: pre-wrap; overflow-wrap: anywhere; }
.slash { font-family: Monaco, Menlo, Consolas, monospace; font-size: 13px; background: #f8f8f8; border: 1px solid #e8e8e8; border-radius: 4px; padding: 2px 6px; display: inline-block; }
.action { color: #616061; font-size: 13px; padding: 2px 20px 2px 66px; }
.sec { margin: 4px 0; }
.sec .acc { margin-top: 4px; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; margin-top: 4px; white-space: pre-wrap; }
.hdr { font-size: 18px; font-weight: 900; margin: 6px 0 2px; }
.ctx { color: #616061; font-size: 12px; margin: 4px 0; white-space: pre-wrap; }
hr { border: 0; border-top: 1px solid #e8e8e8; margin: 8px 0; }
.acts { margin: 6px 0; }
.btn { display: inline-block; border: 1px solid #c4c4c4; border-radius: 4px; padding: 2px 12px; font-size: 13px; font-weight: 700; margin: 2px 6px 2px 0; background: #fff; color: #1d1c1d; }
.btn.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.btn.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.sel { display: inline-block; border: 1px solid #c4c4c4; border-radius: 4px; padding: 2px 10px; font-size: 13px; color: #616061; margin: 2px 6px 2px 0; }
.mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
code { font-family: Monaco, Menlo, Consolas, monospace; font-size: 12px; color: #e01e5a; background: #f8f8f8; border: 1px solid #e8e8e8; border-radius: 3px; padding: 1px 3px; }
a { color: #1264a3; }
.card { border: 1px solid #dddddd; border-radius: 8px; max-width: 560px; margin: 6px 0; box-shadow: 0 4px 12px rgba(0,0,0,.12); background: #fff; }
.card .top { display: flex; justify-content: space-between; font-weight: 900; font-size: 18px; padding: 12px 16px; border-bottom: 1px solid #e8e8e8; }
.card .top .x { color: #8d8d8d; font-weight: 400; }
.card .inner { padding: 8px 16px; }
.card .foot { text-align: right; padding: 10px 16px; border-top: 1px solid #e8e8e8; }
.home { max-width: 640px; border: 1px solid #e8e8e8; border-radius: 8px; margin: 6px 0; }
.home .tabs { border-bottom: 1px solid #e8e8e8; padding: 8px 16px 0; font-size: 14px; }
.home .tabs span { display: inline-block; padding: 0 4px 6px; margin-right: 14px; color: #616061; }
.home .tabs span.on { color: #1d1c1d; font-weight: 700; border-bottom: 2px solid #1264a3; }
.home .inner { padding: 8px 16px; }
.inp { margin: 10px 0; }
.lbl { font-weight: 700; font-size: 15px; }
.opt { font-weight: 400; color: #616061; }
.box { border: 1px solid #8d8d8d; border-radius: 4px; padding: 6px 10px; margin-top: 4px; min-height: 34px; white-space: pre-wrap; overflow-wrap: anywhere; }
.box.multi { min-height: 64px; }
.box.empty { color: #8d8d8d; }
.check { margin-top: 4px; }
.check .mark { font-size: 16px; margin-right: 6px; }
.check small { display: block; color: #616061; margin-left: 24px; }
.hint { color: #616061; font-size: 12px; margin-top: 2px; }
.err { color: #e01e5a; font-size: 13px; margin-top: 2px; }
.dt { overflow-x: auto; margin: 6px 0; max-width: 100%; }
.dt table { border-collapse: collapse; font-size: 13px; }
.dtcap { color: #616061; font-size: 12px; margin-top: 6px; }
.dt th, .dt td { border: 1px solid #e8e8e8; padding: 4px 8px; text-align: right; white-space: nowrap; }
.dt thead th { background: #f8f8f8; font-weight: 700; text-align: center; white-space: normal; min-width: 64px; }
.dt tbody th { text-align: left; font-weight: 400; }
.viz { margin: 8px 0; max-width: 560px; border: 1px solid #e8e8e8; border-radius: 6px; padding: 6px 8px; }
.viz figcaption { font-weight: 700; font-size: 13px; }
.viz svg { width: 100%; height: auto; display: block; }
/* A phone: the sidebar becomes a bar of links above the conversations, so
   the messages keep the width of the screen. */
@media (max-width: 700px) {
  .app { display: block; }
  nav { position: static; height: auto; padding-bottom: 8px; }
  nav h2 { margin: 10px 12px 2px; }
  nav a { display: inline-block; padding: 2px 10px; }
  nav a .n { float: none; margin-left: 4px; }
  .msg { padding: 6px 10px; }
  .action { padding: 2px 10px 2px 56px; }
  .fields { grid-template-columns: 1fr; }
  .card, .home { max-width: 100%; }
}
</style>
</head>
<body>
<div class="app">
<nav>
<div class="ws">Pipeline Coach demo<small>a simulated workspace</small></div>
<h2>The script</h2>
<a href="#script">{{if .Passed}}✓ {{len .Steps}} steps passed{{else}}✗ a step failed{{end}}</a>
<h2>Channels</h2>
{{range .Channels}}<a href="#{{.ID}}">{{.Name}} <span class="n">{{len .Items}}</span></a>
{{end}}<h2>Direct messages</h2>
{{range .DMs}}<a href="#{{.ID}}">{{.Name}} <span class="n">{{len .Items}}</span></a>
{{end}}</nav>
<main>
<section class="intro" id="script">
<h1>A fortnight with Pipeline Coach</h1>
<div class="topic">{{.From}} to {{.To}} · the real bot; a simulated Slack, Google calendars and HubSpot; the embedded store; a fast clock · times are Berlin time</div>
<p>A first meeting is not an opportunity. The bot asks each rep after a first meeting whether a second one was booked, makes an opportunity only when it was, helps reps lose fast (and celebrates it), and coaches the manager.</p>
<ul>
{{range .Cast}}<li><b>{{.Full}}</b>, {{.Role}}</li>
{{end}}</ul>
{{if .Passed}}<p class="ok">Every step did what the script expected.</p>{{else}}<p class="bad">{{.Err}}</p>{{end}}
<ol>
{{range .Steps}}<li>{{if .Skipped}}<span class="skip">– {{.Name}} (not played)</span>{{else if .Failed}}<span class="bad">✗</span> {{.Name}} — <span class="bad">{{.Failed}}</span>{{else}}<span class="ok">✓</span> {{.Name}}{{end}}</li>
{{end}}</ol>
</section>
{{range .Channels}}{{template "conv" .}}{{end}}
{{range .DMs}}{{template "conv" .}}{{end}}
</main>
</div>
</body>
</html>
{{define "conv"}}<section class="conv" id="{{.ID}}">
<h1>{{.Name}}</h1>
<div class="topic">{{.Topic}}</div>
{{range .Items}}{{if .DayBreak}}<div class="day"><span>{{.DayBreak}}</span></div>
{{end}}{{template "item" .}}
{{end}}</section>
{{end}}
{{define "avatar"}}<div class="avatar c{{.Color}}">{{.Initials}}</div>{{end}}
{{define "meta"}}<div class="meta"><b>{{.Who}}</b>{{if eq .Color 0}}<span class="badge">APP</span>{{end}}{{.Time}}{{if .Edited}} <span class="edited">(edited {{.Edited}})</span>{{end}}{{if .Only}} · <span class="only">{{.Only}}</span>{{end}}</div>{{end}}
{{define "item"}}{{if eq .Kind "click"}}<div class="action">{{.Time}} · {{.Who}} clicked <span class="btn">{{.Button}}</span></div>
{{else if eq .Kind "delete"}}<div class="action">{{.Time}} · Pipeline Coach deleted {{.Edited}}</div>
{{else}}<div class="msg">{{template "avatar" .}}<div class="body">{{template "meta" .}}
{{if eq .Kind "slash"}}<div class="slash">{{template "rich" .Text}}</div>
{{else if eq .Kind "say"}}<div class="txt">{{template "rich" .Text}}</div>
{{else if eq .Kind "submit"}}<div class="only">filled in and submitted a form</div>
<div class="card"><div class="top"><span>{{.Title}}</span><span class="x">×</span></div>
<div class="inner">{{template "blocks" .Blocks}}{{range .Errors}}<div class="err">{{.}}</div>{{end}}</div>
<div class="foot"><span class="btn">Cancel</span><span class="btn primary">{{.Submit}}</span></div></div>
{{else if eq .Kind "home"}}<div class="only">opened the app</div>
<div class="home"><div class="tabs"><span class="on">Home</span><span>Messages</span><span>About</span></div>
<div class="inner">{{template "blocks" .Blocks}}</div></div>
{{else}}{{template "blocks" .Blocks}}
{{end}}</div></div>
{{end}}{{end}}
{{define "blocks"}}{{range .}}{{if eq .Type "header"}}<div class="hdr">{{template "rich" .Text}}</div>
{{else if eq .Type "context"}}<div class="ctx">{{range $i, $c := .Context}}{{if $i}} · {{end}}{{template "rich" $c}}{{end}}</div>
{{else if eq .Type "divider"}}<hr/>
{{else if eq .Type "data_table"}}<div class="dtcap">{{.Table.Caption}}</div><div class="dt"><table><thead><tr>{{range .Table.Header}}<th>{{.}}</th>{{end}}</tr></thead><tbody>{{range .Table.Rows}}<tr>{{range $i, $c := .}}{{if $i}}<td>{{$c}}</td>{{else}}<th scope="row"><span class="mention">{{$c}}</span></th>{{end}}{{end}}</tr>{{end}}</tbody></table></div>
{{else if eq .Type "data_visualization"}}<figure class="viz"><figcaption>{{.Chart.Title}}</figcaption>{{.Chart.SVG}}</figure>
{{else if eq .Type "actions"}}<div class="acts">{{range .Elements}}{{template "element" .}}{{end}}</div>
{{else if eq .Type "input"}}<div class="inp"><div class="lbl">{{template "rich" .Label}}{{if .Optional}} <span class="opt">(optional)</span>{{end}}</div>{{template "field" .}}{{if .Hint}}<div class="hint">{{template "rich" .Hint}}</div>{{end}}</div>
{{else}}<div class="sec">{{if .Text}}<div class="txt">{{template "rich" .Text}}</div>{{end}}{{if .Fields}}<div class="fields">{{range .Fields}}<div>{{template "rich" .}}</div>{{end}}</div>{{end}}{{if .Elements}}<div class="acc">{{range .Elements}}{{template "element" .}}{{end}}</div>{{end}}</div>
{{end}}{{end}}{{end}}
{{define "element"}}{{if eq .Type "button"}}<span class="btn {{.Style}}">{{.Text}}</span>{{else}}<span class="sel">{{.Label}} ▾</span>{{end}}{{end}}
{{define "field"}}{{if eq .Input.Type "checkboxes"}}{{$b := .}}{{range .Input.Options}}<div class="check"><span class="mark">{{if index $b.Checked .Value}}☑{{else}}☐{{end}}</span>{{.Text}}</div>{{end}}{{else if and .Filled .Value}}<div class="box">{{if eq .Input.Type "datepicker"}}📅 {{else if eq .Input.Type "timepicker"}}🕒 {{end}}{{.Value}}</div>{{else}}<div class="box empty{{if .Input.Multiline}} multi{{end}}">{{.Input.Label}}</div>{{end}}{{end}}
{{define "rich"}}{{range .}}{{template "span" .}}{{end}}{{end}}
{{define "span"}}{{if .Href}}<a href="{{.Href}}">{{template "format" .}}</a>{{else if .Mention}}<span class="mention">{{.Text}}</span>{{else}}{{template "format" .}}{{end}}{{end}}
{{define "format"}}{{if .Code}}<code>{{.Text}}</code>{{else}}{{if .Bold}}<b>{{end}}{{if .Italic}}<i>{{end}}{{if .Strike}}<s>{{end}}{{.Text}}{{if .Strike}}</s>{{end}}{{if .Italic}}</i>{{end}}{{if .Bold}}</b>{{end}}{{end}}{{end}}
`
