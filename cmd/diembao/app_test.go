package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// TestSettingsPrecedence checks that a flag given on the command line wins
// over DIEMBAO_* variables, which win over the TOML file, which wins over the
// flag's default.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.toml")
	err := os.WriteFile(conf, []byte("host_delay = \"7s\"\n\n[probe]\naddr = \"127.0.0.1:9000\"\nuser_agent = \"from-file\"\nfeeds = [\"a\", \"b\"]\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name            string
		args            []string
		env             map[string]string
		addr, ua, delay string
		feeds           int
	}{
		{"file", nil, nil, "127.0.0.1:9000", "from-file", "7s", 2},
		{"env over file", nil, map[string]string{"DIEMBAO_USER_AGENT": "from-env", "DIEMBAO_HOST_DELAY": "3s"}, "127.0.0.1:9000", "from-env", "3s", 2},
		{"flag over env", []string{"--user-agent", "from-flag", "--addr", "127.0.0.1:1"}, map[string]string{"DIEMBAO_USER_AGENT": "from-env"}, "127.0.0.1:1", "from-flag", "7s", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			app := &App{Stdout: io.Discard, Stderr: io.Discard}
			var addr, ua, delay string
			var feeds []string
			cmd := &cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { return nil }}
			cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "")
			cmd.Flags().StringVar(&ua, "user-agent", "default", "")
			cmd.Flags().StringVar(&delay, "host-delay", "2s", "")
			cmd.Flags().StringSliceVar(&feeds, "feeds", nil, "")
			root := &cobra.Command{Use: "diembao", PersistentPreRunE: func(c *cobra.Command, _ []string) error { return app.resolve(c) }}
			root.PersistentFlags().StringVar(&app.DataDir, "data", "", "")
			root.PersistentFlags().StringVar(&app.ConfigFile, "config", "", "")
			root.AddCommand(cmd)
			root.SetArgs(append([]string{"probe", "--config", conf, "--data", dir}, tt.args...))
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			if addr != tt.addr || ua != tt.ua || delay != tt.delay || len(feeds) != tt.feeds {
				t.Fatalf("addr %q ua %q delay %q feeds %v; want %q %q %q %d", addr, ua, delay, feeds, tt.addr, tt.ua, tt.delay, tt.feeds)
			}
		})
	}
}

func TestBadConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(conf, []byte("addr = [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "search", "--data", dir, "--config", conf, "x")
	if code == 0 || errs == "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = run(t, "search", "--data", dir, "--config", filepath.Join(dir, "missing.toml"), "x")
	if code == 0 || errs == "" {
		t.Fatalf("missing explicit config: exit %d, stderr %q", code, errs)
	}
}
