package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/outlets"
)

// syncSources makes the store's sources agree with a list: sources of the
// list that the store lacks (by name) are created, and those it has get the
// list's homepage, feeds, sitemaps, kind, province, collections and enabled
// flag. Sources of the store that the list does not name are left alone (they
// were added with "diembao sources add").
func syncSources(ctx context.Context, svc diembao.SourceService, list []diembao.Source) (created, updated int, err error) {
	have, err := svc.FindSources(ctx)
	if err != nil {
		return 0, 0, err
	}
	byName := map[string]*diembao.Source{}
	for _, s := range have {
		byName[s.Name] = s
	}
	for i := range list {
		want := list[i]
		old, ok := byName[want.Name]
		if !ok {
			if err := svc.CreateSource(ctx, &want); err != nil {
				return created, updated, fmt.Errorf("source %q: %w", want.Name, err)
			}
			created++
			continue
		}
		if old.Homepage == want.Homepage && slices.Equal(old.Feeds, want.Feeds) && slices.Equal(old.Sitemaps, want.Sitemaps) &&
			old.Kind == want.Kind && old.Province == want.Province && slices.Equal(old.Collections, want.Collections) && old.Enabled == want.Enabled {
			continue
		}
		old.Homepage, old.Feeds, old.Sitemaps = want.Homepage, want.Feeds, want.Sitemaps
		old.Kind, old.Province, old.Collections, old.Enabled = want.Kind, want.Province, want.Collections, want.Enabled
		if err := svc.UpdateSource(ctx, old); err != nil {
			return created, updated, fmt.Errorf("source %q: %w", want.Name, err)
		}
		updated++
	}
	return created, updated, nil
}

// loadSourcesFile reads the user's source list. With path "" it reads
// DATA/sources.toml, writing diembao's default list there first when the
// file does not exist, so that the user has a file to edit.
func loadSourcesFile(app *App, path string) (string, []diembao.Source, error) {
	if path == "" {
		path = filepath.Join(app.DataDir, "sources.toml")
		if _, err := os.Stat(path); os.IsNotExist(err) {
			if err := os.MkdirAll(app.DataDir, 0o755); err != nil {
				return path, nil, err
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return path, nil, err
			}
			werr := outlets.WriteDefault(f)
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				return path, nil, fmt.Errorf("write %s: %w", path, werr)
			}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return path, nil, diembao.Errorf(diembao.EINVALID, "sources file: %v", err)
	}
	defer f.Close()
	list, err := outlets.Parse(f)
	if err != nil {
		return path, nil, diembao.Errorf(diembao.EINVALID, "sources file %s: %v", path, err)
	}
	return path, list, nil
}
