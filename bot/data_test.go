package bot_test

import (
	"strings"
	"testing"

	"pipelinecoach/bot/slacksim"
	"pipelinecoach/storage/boltstore"
)

// A workspace that does not take tables and charts (it answers
// invalid_blocks) still gets the digest and the manager's App Home, with
// the table and the charts said in text.
func TestTablesAndChartsFallBackToText(t *testing.T) {
	for _, noData := range []bool{false, true} {
		name := "tables and charts"
		var opts []slacksim.Option
		if noData {
			name = "a workspace without them"
			opts = append(opts, slacksim.WithoutDataBlocks())
		}
		t.Run(name, func(t *testing.T) {
			store, err := boltstore.Open(t.TempDir(), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			h := newHarnessOpts(t, store, harnessOpts{sim: opts})
			h.addManagers()
			h.slash(admin, "admin manager "+mention(mia))
			h.reply(admin, "can now manage a team")
			h.slash(mia, "team add "+mention(rep)+" "+mention(other))
			h.reply(mia, "Added")
			h.slash(mia, "team cycle 2 months")
			h.reply(mia, "is not a sales cycle: give it in days")
			h.slash(mia, "team cycle 60")
			h.reply(mia, "*Sales cycle:* 60 days")
			h.slash(rep, "log Acme today 10:00")
			h.reply(rep, "Logged a first meeting with *Acme*")

			h.slash(mia, "digest")
			digest := h.reply(mia, "Weekly pipeline digest")
			want := map[bool]string{false: "data_table", true: "*Reps* — this week's first meetings"}[noData]
			if raw := digest.AllText(); !strings.Contains(raw, "<@"+rep+">") {
				t.Errorf("the digest lacks the rep:\n%s", raw)
			}
			blocks := blockTypes(digest)
			if noData && strings.Contains(blocks, "data_") || !noData && !strings.Contains(blocks, want) {
				t.Errorf("digest blocks %s (want %s)", blocks, want)
			}

			// The digest as the scheduler posts it (an admin posts it now):
			// to Mia, the team having no channel.
			h.slash(admin, "admin digest post "+mention(mia))
			h.reply(admin, "Posted 1 digest")
			posted := h.waitFor(h.sim.DMChannel(mia), "Weekly pipeline digest")
			if blocks := blockTypes(posted); !strings.Contains(posted.AllText(), "<@"+rep+">") || noData == strings.Contains(blocks, "data_table") {
				t.Errorf("the posted digest (blocks %s):\n%s", blocks, posted.AllText())
			}

			if _, err := h.sim.OpenHome(h.ctx, mia); err != nil {
				t.Fatal(err)
			}
			home := h.home(mia, "Your team")
			if !strings.Contains(home.AllText(), "<@"+rep+">") {
				t.Errorf("Mia's Home lacks the rep:\n%s", home.AllText())
			}
		})
	}
}

// blockTypes lists a message's block types.
func blockTypes(m slacksim.Message) string {
	var out []string
	for _, b := range m.Blocks.BlockSet {
		out = append(out, string(b.BlockType()))
	}
	return strings.Join(out, " ")
}
