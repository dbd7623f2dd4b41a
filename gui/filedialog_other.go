//go:build !linux

package gui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sqweek/dialog"
)

// nativeFile runs sqweek/dialog (Windows and macOS dialogs, in the system's language),
// turning its panic (the dialog could not start) into an error.
func nativeFile(title, suggested string, filter FileFilter, save bool) (path string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("system file dialog: %v", r)
		}
	}()
	b := dialog.File().Title(title)
	if len(filter.Extensions) > 0 {
		var exts []string
		for _, e := range filter.Extensions {
			exts = append(exts, strings.TrimPrefix(e, "."))
		}
		b = b.Filter(filter.Description, exts...)
	}
	if save {
		if suggested != "" {
			b = b.SetStartFile(suggested)
		}
		path, err = b.Save()
	} else {
		path, err = b.Load()
	}
	if errors.Is(err, dialog.ErrCancelled) {
		err = errNativeCancelled
	}
	return path, err
}
