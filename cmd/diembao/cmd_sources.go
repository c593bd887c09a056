package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/crawl"
)

func init() {
	register(10, func(app *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "sources",
			Short: "List, add, remove and check the outlets diembao collects from",
			Long: `sources manages the news outlets diembao collects from. Each source has a
homepage, RSS/Atom feeds and sitemaps, and belongs to collections ("national",
"provincial", a list of your own). "sources list" shows each source's health:
last success, consecutive failures, last error, articles per day, and "silent"
when it has published nothing for much longer than its own baseline predicts.`,
		}
		cmd.AddCommand(sourcesList(app), sourcesAdd(app), sourcesRemove(app), sourcesCheck(app))
		return cmd
	})
}

func sourcesList(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the sources with their health",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), app)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.Sources.FindSources(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				if list == nil {
					list = []*diembao.Source{}
				}
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			return printSources(app, list)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the sources as JSON")
	return cmd
}

func printSources(app *App, list []*diembao.Source) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(app.Stdout, `No sources yet: add one with "diembao sources add HOMEPAGE_URL".`)
		return err
	}
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tLAST SUCCESS\tARTICLES/DAY\tFEEDS\tCOLLECTIONS\tLAST ERROR")
	for _, s := range list {
		status := s.Health.Status()
		if !s.Enabled {
			status = "disabled"
		}
		last := "never"
		if !s.Health.LastSuccess.IsZero() {
			last = s.Health.LastSuccess.In(diembao.Vietnam).Format("2006-01-02 15:04")
		}
		errMsg := s.Health.LastError
		if len([]rune(errMsg)) > 60 {
			errMsg = string([]rune(errMsg)[:59]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.1f\t%d\t%s\t%s\n", s.ID, s.Name, status, last, s.Health.ArticlesPerDay,
			len(s.Feeds)+len(s.Sitemaps), strings.Join(s.Collections, ","), errMsg)
	}
	return tw.Flush()
}

func sourcesAdd(app *App) *cobra.Command {
	var (
		src   diembao.Source
		kind  string
		flags crawlFlags
	)
	cmd := &cobra.Command{
		Use:   "add [--name NAME] [--feed URL]... [--collection C]... HOMEPAGE_URL",
		Short: "Add a source, discovering its feeds when none is given",
		Long: `add stores a new source. Without --feed or --sitemap it looks for the site's
feeds and sitemaps: the feeds its homepage links to, the sitemaps its
robots.txt lists, then the usual feed paths; only feeds that list articles
are kept. The name defaults to the homepage's host.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			home, err := validHomepage(args[0])
			if err != nil {
				return err
			}
			src.Homepage = home
			src.Kind = diembao.SourceKind(kind)
			if !diembao.ValidKind(src.Kind) {
				return diembao.Errorf(diembao.EINVALID, "--kind %q: use national, agency, party, sector, provincial or other", kind)
			}
			if src.Name == "" {
				src.Name = strings.TrimPrefix(src.Host(), "www.")
			}
			for i, f := range src.Feeds {
				if src.Feeds[i], err = validURL("--feed", f); err != nil {
					return err
				}
			}
			for i, f := range src.Sitemaps {
				if src.Sitemaps[i], err = validURL("--sitemap", f); err != nil {
					return err
				}
			}
			st, err := openStore(ctx, app)
			if err != nil {
				return err
			}
			defer st.Close()
			if len(src.Feeds)+len(src.Sitemaps) == 0 {
				cfg, err := flags.config()
				if err != nil {
					return err
				}
				f := crawl.NewFetcher(cfg, nil, app.Logger)
				defer f.Close()
				fmt.Fprintf(app.Stderr, "Looking for the feeds of %s…\n", home)
				dctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				d, err := crawl.Discover(dctx, f, home)
				cancel()
				if err != nil {
					return diembao.Errorf(diembao.EINVALID, "cannot read %s: %v%s", home, err, privateHint(err))
				}
				if len(d.Feeds)+len(d.Sitemaps) == 0 {
					return diembao.Errorf(diembao.EINVALID, "found no feed or sitemap on %s; give one with --feed URL or --sitemap URL", home)
				}
				src.Feeds, src.Sitemaps = d.Feeds, d.Sitemaps
			}
			src.Enabled = true
			if err := src.Validate(); err != nil {
				return err
			}
			if err := st.Sources.CreateSource(ctx, &src); err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "Added source %d %q (%s)\n", src.ID, src.Name, src.Homepage)
			for _, f := range src.Feeds {
				fmt.Fprintf(app.Stdout, "  feed     %s\n", f)
			}
			for _, s := range src.Sitemaps {
				fmt.Fprintf(app.Stdout, "  sitemap  %s\n", s)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&src.Name, "name", "", "name of the outlet (default: the homepage's host)")
	fs.StringArrayVar(&src.Feeds, "feed", nil, "RSS or Atom feed URL (repeatable); none means discover")
	fs.StringArrayVar(&src.Sitemaps, "sitemap", nil, "sitemap or Google News sitemap URL (repeatable)")
	fs.StringArrayVar(&src.Collections, "collection", nil, "collection the source belongs to, e.g. national, provincial (repeatable)")
	fs.StringVar(&kind, "kind", string(diembao.KindOther), "kind of outlet: national, agency, party, sector, provincial or other")
	fs.StringVar(&src.Province, "province", "", "province of a provincial outlet")
	flags.add(fs)
	return cmd
}

// privateHint explains how to fetch a private address when err is the
// refusal of one.
func privateHint(err error) string {
	if errors.Is(err, crawl.ErrForbiddenAddress) {
		return " (private addresses are fetched only with --allow-private or --allow-net)"
	}
	return ""
}

// validHomepage checks that s is an http(s) URL with a host and returns it
// canonical.
func validHomepage(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	return validURL("homepage", s)
}

func validURL(what, s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", diembao.Errorf(diembao.EINVALID, "%s %q is not an http or https URL", what, s)
	}
	c, err := crawl.Canonicalize(u.String(), nil)
	if err != nil {
		return "", diembao.Errorf(diembao.EINVALID, "%s %q: %v", what, s, err)
	}
	return c, nil
}

func sourceID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, diembao.Errorf(diembao.EINVALID, "%q is not a source ID (see \"diembao sources list\")", arg)
	}
	return id, nil
}

func sourcesRemove(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID",
		Short: "Remove a source (its articles stay in the archive)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := sourceID(args[0])
			if err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), app)
			if err != nil {
				return err
			}
			defer st.Close()
			src, err := st.Sources.FindSourceByID(cmd.Context(), id)
			if err != nil {
				return err
			}
			if err := st.Sources.DeleteSource(cmd.Context(), id); err != nil {
				return err
			}
			_, err = fmt.Fprintf(app.Stdout, "Removed source %d %q\n", id, src.Name)
			return err
		},
	}
}

func sourcesCheck(app *App) *cobra.Command {
	var flags crawlFlags
	cmd := &cobra.Command{
		Use:   "check ID",
		Short: "Fetch a source's feeds and sitemaps once and report what they list",
		Long: `check fetches each feed and sitemap of a source once, politely (robots.txt,
the private-address rule), and reports its status, format, number of links
and newest publication time. It stores nothing. It exits with status 1 when
a feed or sitemap failed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id, err := sourceID(args[0])
			if err != nil {
				return err
			}
			st, err := openStore(ctx, app)
			if err != nil {
				return err
			}
			defer st.Close()
			src, err := st.Sources.FindSourceByID(ctx, id)
			if err != nil {
				return err
			}
			cfg, err := flags.config()
			if err != nil {
				return err
			}
			f := crawl.NewFetcher(cfg, nil, app.Logger)
			defer f.Close()
			fmt.Fprintf(app.Stdout, "%s (%s): %s\n", src.Name, src.Homepage, src.Health.Status())
			failed := 0
			urls := append(append([]string{}, src.Feeds...), src.Sitemaps...)
			if len(urls) == 0 {
				fmt.Fprintln(app.Stdout, "  no feed or sitemap")
			}
			for _, u := range urls {
				r := crawl.Check(ctx, f, u)
				if r.Err != nil {
					failed++
					fmt.Fprintf(app.Stdout, "  FAIL  %s: %v%s\n", u, r.Err, privateHint(r.Err))
					continue
				}
				newest := "no dates"
				if !r.Newest.IsZero() {
					newest = "newest " + r.Newest.In(diembao.Vietnam).Format("2006-01-02 15:04")
				}
				extra := ""
				if r.Sitemaps > 0 {
					extra = fmt.Sprintf(", %d sitemaps", r.Sitemaps)
				}
				fmt.Fprintf(app.Stdout, "  ok    %s: HTTP %d, %s, %d links%s, %s (%s)\n", u, r.Status, r.Kind, r.Links, extra, newest,
					r.Elapsed.Round(time.Millisecond))
			}
			if failed > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%d of %d feeds and sitemaps failed", failed, len(urls))}
			}
			return nil
		},
	}
	flags.add(cmd.Flags())
	return cmd
}
