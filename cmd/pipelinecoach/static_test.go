package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The container image (Dockerfile, compose.yaml) cannot be built here: no
// Docker engine runs on these machines. These tests check what can be
// checked without one: the binary the Dockerfile builds, built by its own
// `go build` line, is static; and the files say what the image promises.

// moduleRoot is the repository root, two levels up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// dockerfileLines are the Dockerfile's instructions, continuation lines
// joined and comments left out.
func dockerfileLines(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	cur := ""
	for line := range strings.SplitSeq(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if more, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur += more + " "
			continue
		}
		out = append(out, strings.TrimSpace(cur+trimmed))
		cur = ""
	}
	return out
}

// shellWords splits a command line as sh would for the plain forms a
// Dockerfile RUN line uses: words, "double" and 'single' quotes, \ escapes.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote != 0:
			switch {
			case r == quote:
				quote = 0
			case r == '\\' && quote == '"':
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("&|;$`<>()", r):
			t.Fatalf("the build line uses %q; keep it a plain `VAR=value go build …` so this test can run it: %s", r, s)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unbalanced quote in %s", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// buildLine is the Dockerfile's `RUN … go build …`: the environment it sets
// and the arguments after `go`.
func buildLine(t *testing.T) (env, args []string) {
	t.Helper()
	var found []string
	for _, l := range dockerfileLines(t) {
		if strings.HasPrefix(l, "RUN ") && strings.Contains(l, "go build") {
			found = append(found, strings.TrimPrefix(l, "RUN "))
		}
	}
	if len(found) != 1 {
		t.Fatalf("the Dockerfile has %d `RUN … go build` lines, want 1", len(found))
	}
	words := shellWords(t, found[0])
	i := 0
	for i < len(words) && strings.Contains(words[i], "=") && !strings.HasPrefix(words[i], "-") {
		env = append(env, words[i])
		i++
	}
	if i+1 >= len(words) || words[i] != "go" || words[i+1] != "build" {
		t.Fatalf("the build line is not `[VAR=value…] go build …`: %q", words)
	}
	return env, words[i+1:]
}

func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	env, args := buildLine(t)
	if !slices.Contains(env, "CGO_ENABLED=0") {
		t.Fatalf("the Dockerfile builds with %q: CGO_ENABLED=0 is what makes the binary static", env)
	}
	for _, flag := range []string{"-trimpath", "-ldflags=-s -w"} {
		if !slices.Contains(args, flag) {
			t.Errorf("the Dockerfile's build lacks %s: %q", flag, args)
		}
	}
	out := filepath.Join(t.TempDir(), "pipelinecoach")
	o := slices.Index(args, "-o")
	if o < 0 || o+1 >= len(args) {
		t.Fatalf("the build line names no -o output: %q", args)
	}
	args = slices.Clone(args)
	args[o+1] = out

	root := moduleRoot(t)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	// As in the golang image: Linux, the host's architecture, nothing from
	// this machine's GOFLAGS.
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOFLAGS=")
	cmd.Env = append(cmd.Env, env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}

	f, err := elf.Open(out)
	if err != nil {
		t.Fatalf("the binary is not ELF: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			t.Error("the binary has a PT_INTERP program header: it needs a dynamic loader, which distroless/static lacks")
		case elf.PT_DYNAMIC:
			t.Error("the binary has a PT_DYNAMIC segment: it is dynamically linked")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries (DT_NEEDED): %q %v", libs, err)
	}
	if f.Section(".interp") != nil || f.Section(".dynamic") != nil {
		t.Error("the binary has .interp or .dynamic sections")
	}
	// -s -w: no symbol table, no DWARF.
	if f.Section(".symtab") != nil || f.Section(".debug_info") != nil {
		t.Error("the binary keeps its symbol table or DWARF: -ldflags=\"-s -w\" was not applied")
	}
	// -trimpath: the build machine's paths are not in the binary.
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bin, []byte(root+string(filepath.Separator))) {
		t.Errorf("the binary contains the source path %s: -trimpath was not applied", root)
	}
}

func TestDockerfileRunsAsNonRootWithADataVolume(t *testing.T) {
	lines := dockerfileLines(t)
	var froms []string
	for _, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			froms = append(froms, l)
		}
	}
	if len(froms) != 2 || !strings.HasPrefix(froms[0], "FROM golang:1.26 ") {
		t.Errorf("want two stages, building on golang:1.26 (go.mod's version): %q", froms)
	}
	if final := froms[len(froms)-1]; !strings.Contains(final, "distroless/static") || !strings.HasSuffix(final, ":nonroot") {
		t.Errorf("the final stage is %q, want distroless static, nonroot", final)
	}
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "\ngo 1.26") {
		t.Errorf("go.mod is not on Go 1.26: update the Dockerfile's golang image with it")
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{
		"\nUSER 65532:65532\n",
		"ENV DATA_DIR=/data ",
		"HTTP_ADDR=0.0.0.0:8080",
		"\nVOLUME /data\n",
		"COPY --from=build --chown=65532:65532 /out/data /data",
		`CMD ["/pipelinecoach", "healthcheck"]`,
		`ENTRYPOINT ["/pipelinecoach"]`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("the Dockerfile lacks %q", strings.TrimSpace(want))
		}
	}
	if !strings.Contains(joined, "\nHEALTHCHECK ") {
		t.Error("the Dockerfile has no HEALTHCHECK")
	}
}

func TestComposeRunsTheBotWithRedis(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Build       any               `yaml:"build"`
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Secrets     []string          `yaml:"secrets"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
		Secrets map[string]struct {
			File string `yaml:"file"`
		} `yaml:"secrets"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	bot, redis := c.Services["bot"], c.Services["redis"]
	if bot.Build == nil {
		t.Error("the bot service is not built from the Dockerfile")
	}
	if got := bot.Environment["REDIS_URL"]; got != "redis://redis:6379/0" {
		t.Errorf("REDIS_URL = %q", got)
	}
	if bot.Environment["HTTP_ADDR"] != "0.0.0.0:8080" {
		t.Errorf("HTTP_ADDR = %q, want 0.0.0.0:8080 so the health check and the network reach it", bot.Environment["HTTP_ADDR"])
	}
	for _, name := range []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"} {
		file := bot.Environment[name+"_FILE"]
		secret := strings.TrimPrefix(file, "/run/secrets/")
		if file == "" || !slices.Contains(bot.Secrets, secret) || c.Secrets[secret].File == "" {
			t.Errorf("%s is not read from a secret file (%s_FILE = %q)", name, name, file)
		}
		if bot.Environment[name] != "" {
			t.Errorf("%s is set directly as well as through %s_FILE; the bot refuses both", name, name)
		}
	}
	if got := strings.Join(bot.Healthcheck.Test, " "); got != "CMD /pipelinecoach healthcheck" {
		t.Errorf("the bot's health check is %q", got)
	}
	if bot.DependsOn["redis"].Condition != "service_healthy" {
		t.Error("the bot does not wait for a healthy Redis")
	}
	cmd := strings.Join(redis.Command, " ")
	for _, want := range []string{"--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("redis runs %q, without %s", cmd, want)
		}
	}
	if len(redis.Healthcheck.Test) == 0 {
		t.Error("redis has no health check")
	}
}
