package coach_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"pipelinecoach/coach"
)

var frameworkKey = regexp.MustCompile(`^[a-z_]+$`)

func TestFrameworksAreWellFormed(t *testing.T) {
	var names []string
	for _, f := range coach.Frameworks {
		names = append(names, f.Name)
	}
	if want := []string{"bant", "meddicc", "spiced"}; !slices.Equal(names, want) {
		t.Fatalf("frameworks offered = %v, want %v", names, want)
	}
	wantItems := map[string]int{"bant": 4, "meddicc": 7, "spiced": 5}
	for _, f := range coach.Frameworks {
		t.Run(f.Name, func(t *testing.T) {
			if f.Title == "" || f.Summary == "" {
				t.Errorf("title %q, summary %q: both needed", f.Title, f.Summary)
			}
			if n := utf8.RuneCountInString(f.Summary); n > coach.MaxFrameworkTextLen {
				t.Errorf("summary is %d characters", n)
			}
			if len(f.Items) != wantItems[f.Name] {
				t.Errorf("%d items, want %d", len(f.Items), wantItems[f.Name])
			}
			keys := map[string]bool{}
			for _, it := range f.Items {
				if !frameworkKey.MatchString(it.Key) || len(it.Key) > coach.MaxFrameworkKeyLen {
					t.Errorf("key %q: want [a-z_]+ of at most %d", it.Key, coach.MaxFrameworkKeyLen)
				}
				if keys[it.Key] {
					t.Errorf("key %q twice", it.Key)
				}
				keys[it.Key] = true
				for field, text := range map[string]string{"name": it.Name, "description": it.Description, "question": it.Question} {
					n := utf8.RuneCountInString(text)
					if strings.TrimSpace(text) == "" || n > coach.MaxFrameworkTextLen {
						t.Errorf("%s %s is %d characters: want 1 to %d", it.Key, field, n, coach.MaxFrameworkTextLen)
					}
				}
				if !strings.HasSuffix(it.Question, "?") {
					t.Errorf("%s: question %q is not a question", it.Key, it.Question)
				}
				if got, ok := f.Item(it.Key); !ok || got != it {
					t.Errorf("Item(%q) = %+v, %v", it.Key, got, ok)
				}
			}
			if _, ok := f.Item("nope"); ok {
				t.Error("Item found an unknown key")
			}
		})
	}
	if _, ok := coach.FrameworkNamed(coach.DefaultFramework); !ok {
		t.Errorf("default framework %q is not offered", coach.DefaultFramework)
	}
}

func TestFrameworkNamed(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = not found
	}{
		{"bant", "bant"},
		{"BANT", "bant"},
		{" Bant\t", "bant"},
		{"meddicc", "meddicc"},
		{"MEDDICC", "meddicc"},
		{"meddic", "meddicc"},
		{"MEDDIC", "meddicc"},
		{"spiced", "spiced"},
		{"SPICED", "spiced"},
		{"", ""},
		{"   ", ""},
		{"meddpicc", ""},
		{"ban", ""},
		{"bant spiced", ""},
	}
	for _, tc := range tests {
		f, ok := coach.FrameworkNamed(tc.in)
		if ok != (tc.want != "") || f.Name != tc.want {
			t.Errorf("FrameworkNamed(%q) = %q, %v; want %q", tc.in, f.Name, ok, tc.want)
		}
		if ok && len(f.Items) == 0 {
			t.Errorf("FrameworkNamed(%q) has no items", tc.in)
		}
	}
}

func TestChooseFramework(t *testing.T) {
	tests := []struct{ name, fallback, want string }{
		{"spiced", "meddicc", "spiced"},
		{"", "meddic", "meddicc"},
		{"", "", coach.DefaultFramework},
		{"unknown", "also unknown", coach.DefaultFramework},
		{"unknown", "SPICED", "spiced"},
	}
	for _, tc := range tests {
		if got := coach.ChooseFramework(tc.name, tc.fallback).Name; got != tc.want {
			t.Errorf("ChooseFramework(%q, %q) = %q, want %q", tc.name, tc.fallback, got, tc.want)
		}
	}
}

func TestFrameworkCompleteness(t *testing.T) {
	bant, _ := coach.FrameworkNamed("bant")
	tests := []struct {
		name     string
		answers  map[string]string
		answered int
		missing  []string
	}{
		{"nil", nil, 0, []string{"budget", "authority", "need", "timeline"}},
		{"empty", map[string]string{}, 0, []string{"budget", "authority", "need", "timeline"}},
		{"blank answers", map[string]string{"budget": "", "need": "  \n\t"}, 0, []string{"budget", "authority", "need", "timeline"}},
		{"partial", map[string]string{"budget": "50-80k approved", "timeline": "live by March"}, 2, []string{"authority", "need"}},
		{"unknown keys only", map[string]string{"champion": "Dana", "Budget": "yes", "pain": "manual reports"}, 0, []string{"budget", "authority", "need", "timeline"}},
		{"partial with unknown", map[string]string{"authority": "CFO signs", "champion": "Dana"}, 1, []string{"budget", "need", "timeline"}},
		{"full", map[string]string{"budget": "yes", "authority": "CFO", "need": "close books faster", "timeline": "Q1"}, 4, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			answered, total := bant.Completeness(tc.answers)
			if answered != tc.answered || total != 4 {
				t.Errorf("Completeness = %d of %d, want %d of 4", answered, total, tc.answered)
			}
			var missing []string
			for _, it := range bant.Missing(tc.answers) {
				missing = append(missing, it.Key)
			}
			if !slices.Equal(missing, tc.missing) {
				t.Errorf("Missing = %v, want %v", missing, tc.missing)
			}
			if got, want := bant.Part(tc.answers), float64(tc.answered)/4; got != want {
				t.Errorf("Part = %v, want %v", got, want)
			}
		})
	}
}

func TestFrameworkCompletenessAcrossFrameworks(t *testing.T) {
	// Answers kept from one framework count in another only for the keys
	// both share.
	meddicc, _ := coach.FrameworkNamed("meddicc")
	spiced, _ := coach.FrameworkNamed("spiced")
	answers := map[string]string{"pain": "month-end takes 9 days", "champion": "Dana, head of finance ops"}
	if a, n := meddicc.Completeness(answers); a != 2 || n != 7 {
		t.Errorf("meddicc: %d of %d, want 2 of 7", a, n)
	}
	if a, n := spiced.Completeness(answers); a != 1 || n != 5 {
		t.Errorf("spiced: %d of %d, want 1 of 5", a, n)
	}
	if got := spiced.Part(answers); got != 0.2 {
		t.Errorf("spiced part = %v, want 0.2", got)
	}
	var none coach.Framework
	if a, n := none.Completeness(answers); a != 0 || n != 0 || none.Part(answers) != 0 || none.Missing(answers) != nil {
		t.Errorf("a framework without items: %d of %d, part %v", a, n, none.Part(answers))
	}
}
