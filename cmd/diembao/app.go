package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/diembao/diembao"
)

// App is what every subcommand shares: the resolved settings, the standard
// streams and a logger.
type App struct {
	// DataDir is the data directory (store, WARC files, config).
	DataDir string
	// ConfigFile is the TOML configuration file ("" when none).
	ConfigFile string
	Verbose    bool
	// Postgres is the DSN of a PostgreSQL store (server mode); "" keeps
	// the embedded SQLite store of DataDir.
	Postgres string

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Logger *slog.Logger

	// Config holds the keys of the TOML file, flattened ("crawl.user_agent").
	Config map[string]any
}

// command is one registered subcommand: its place in the help list (pipeline
// order) and its constructor.
type command struct {
	order int
	new   func(app *App) *cobra.Command
}

// commands is the registry of subcommands; each cmd_*.go file registers its
// own in init.
var commands []command

// register adds a subcommand constructor. order places it in the help list:
// 10 sources, 20 crawl, 30 import, 40 extract, 50 analysis, 60 search,
// 70 serve/demo, 80 reports, 90 eval and admin.
func register(order int, fn func(app *App) *cobra.Command) {
	commands = append(commands, command{order, fn})
}

// Main runs diembao with args and returns the process exit code. It is the
// testable entry point of the binary.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &App{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	root := newRoot(app)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ex *exitError
	if errors.As(err, &ex) {
		if ex.msg != "" {
			fmt.Fprintln(stderr, "diembao:", ex.msg)
		}
		return ex.code
	}
	if code := diembao.ErrorCode(err); code != diembao.EINTERNAL {
		fmt.Fprintln(stderr, "diembao:", diembao.ErrorMessage(err))
	} else {
		fmt.Fprintln(stderr, "diembao:", err)
	}
	return 1
}

// exitError ends a command with a given exit code after it has printed its
// own report.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func newRoot(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "diembao",
		Short: "Press monitoring for Vietnamese-language news",
		Long: `diembao collects what Vietnamese news outlets publish (RSS/Atom feeds, sitemaps,
article pages, WARC archives), turns each page into a clean article, makes the
archive searchable with or without diacritics, and serves a web UI and JSON API.

Settings come from flags, then DIEMBAO_* environment variables (DIEMBAO_DATA,
DIEMBAO_ADDR, …), then the TOML file given by --config or found at
DATA/config.toml.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return app.resolve(cmd)
		},
	}
	root.PersistentFlags().StringVar(&app.DataDir, "data", "", "data directory (default $XDG_DATA_HOME/diembao or ~/.local/share/diembao)")
	root.PersistentFlags().StringVar(&app.ConfigFile, "config", "", "TOML configuration file (default DATA/config.toml when it exists)")
	root.PersistentFlags().BoolVarP(&app.Verbose, "verbose", "v", false, "log what happens to standard error")
	root.PersistentFlags().StringVar(&app.Postgres, "postgres", "", "server mode: keep the store, index and crawl queue in this PostgreSQL database (a DSN such as postgres://user:pass@host/db) instead of DATA/diembao.db")
	sort.SliceStable(commands, func(i, j int) bool { return commands[i].order < commands[j].order })
	for _, c := range commands {
		root.AddCommand(c.new(app))
	}
	return root
}

// resolve fills the settings of cmd's flags from the environment and the
// config file when the user did not set them on the command line: flags
// first, then DIEMBAO_<FLAG> variables, then the TOML file.
func (app *App) resolve(cmd *cobra.Command) error {
	level := slog.LevelWarn
	if app.Verbose {
		level = slog.LevelDebug
	}
	app.Logger = slog.New(slog.NewTextHandler(app.Stderr, &slog.HandlerOptions{Level: level}))

	if app.DataDir == "" {
		app.DataDir = os.Getenv("DIEMBAO_DATA")
	}
	if app.DataDir == "" {
		app.DataDir = defaultDataDir()
	}
	if app.ConfigFile == "" {
		app.ConfigFile = os.Getenv("DIEMBAO_CONFIG")
	}
	explicitConfig := app.ConfigFile != ""
	if app.ConfigFile == "" {
		app.ConfigFile = filepath.Join(app.DataDir, "config.toml")
	}
	app.Config = map[string]any{}
	raw := map[string]any{}
	if _, err := toml.DecodeFile(app.ConfigFile, &raw); err != nil {
		if !errors.Is(err, os.ErrNotExist) || explicitConfig {
			return diembao.Errorf(diembao.EINVALID, "config %s: %v", app.ConfigFile, err)
		}
		app.ConfigFile = ""
	}
	flatten("", raw, app.Config)

	var ferr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if ferr != nil || f.Changed || f.Name == "help" || f.Name == "data" || f.Name == "config" {
			return
		}
		env := "DIEMBAO_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := f.Value.Set(v); err != nil {
				ferr = diembao.Errorf(diembao.EINVALID, "%s=%q: %v", env, v, err)
			}
			return
		}
		key := cmd.Name() + "." + strings.ReplaceAll(f.Name, "-", "_")
		v, ok := app.Config[key]
		if !ok {
			v, ok = app.Config[strings.ReplaceAll(f.Name, "-", "_")]
		}
		if ok {
			if err := setFlagFromConfig(f, v); err != nil {
				ferr = diembao.Errorf(diembao.EINVALID, "config %s: %s: %v", app.ConfigFile, key, err)
			}
		}
	})
	return ferr
}

func setFlagFromConfig(f *pflag.Flag, v any) error {
	if list, ok := v.([]any); ok {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			s := make([]string, len(list))
			for i, x := range list {
				s[i] = fmt.Sprint(x)
			}
			return sv.Replace(s)
		}
	}
	return f.Value.Set(fmt.Sprint(v))
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			flatten(key, sub, out)
			continue
		}
		out[key] = v
	}
}

// defaultDataDir is $XDG_DATA_HOME/diembao, or ~/.local/share/diembao.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "diembao")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "diembao")
	}
	return "diembao-data"
}
