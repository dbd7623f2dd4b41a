//go:build linux

package gui

/*
#cgo pkg-config: gtk+-3.0
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <stdlib.h>

static GtkWidget *convive_chooser(const char *title, GtkFileChooserAction action, const char *cancel, const char *accept) {
	return gtk_file_chooser_dialog_new(title, NULL, action, cancel, GTK_RESPONSE_CANCEL, accept, GTK_RESPONSE_ACCEPT, NULL);
}

// Takes the dialog off the screen. Without a GTK main loop, nothing else would: the
// requests that unmap and destroy its window could stay in Xlib's buffer, leaving a
// frozen dialog over the window. gdk_display_sync waits until the X server has done
// them; the events they raise are then handled.
static void convive_close(GtkWidget *dlg) {
	GdkDisplay *display = gtk_widget_get_display(dlg);
	gtk_widget_destroy(dlg);
	gdk_display_sync(display);
	while (gtk_events_pending()) {
		gtk_main_iteration();
	}
}

// GTK's own words (Récents, Nom, Taille…) follow the language the window chose
// (LC_ALL, LANGUAGE). Without that language's locale on the system, gettext still
// translates in C.UTF-8, from LANGUAGE; only the messages' category changes.
static void convive_messages_locale(void) {
	if (setlocale(LC_MESSAGES, "") == NULL) {
		setlocale(LC_MESSAGES, "C.UTF-8");
	}
}
*/
import "C"

import (
	"errors"
	"runtime"
	"strings"
	"unicode"
	"unsafe"

	"fyne.io/fyne/v2/lang"
)

// gtkReady tells whether GTK could start. It starts here, on the main thread and
// before the window opens, as GTK wants; both GTK and the window's toolkit use Xlib
// from their own threads, which XInitThreads allows.
var gtkReady bool

func init() {
	C.XInitThreads()
	gtkReady = startGTK()
}

// startGTK starts GTK, trying again at once when it fails: on a display a program has
// just left, its first start fails now and then and the next one succeeds.
func startGTK() bool {
	for range 3 {
		if C.gtk_init_check(nil, nil) == C.TRUE {
			return true
		}
	}
	return false
}

// nativeFile shows GTK's file chooser with the window's words: its title, and
// « Annuler », « Ouvrir » or « Enregistrer » (in English when the window is).
func nativeFile(title, suggested string, filter FileFilter, save bool) (string, error) {
	// a start that failed is tried again; gtkReady needs no lock, as dialogs come
	// one at a time (systemPicker.ask)
	if !gtkReady && !startGTK() {
		return "", errors.New("system file dialog: GTK could not start (no display?)")
	}
	gtkReady = true
	// every GTK call of one dialog on one thread
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	C.convive_messages_locale()

	action, accept := C.GtkFileChooserAction(C.GTK_FILE_CHOOSER_ACTION_OPEN), lang.X("file.open", "_Ouvrir")
	if save {
		action, accept = C.GTK_FILE_CHOOSER_ACTION_SAVE, lang.X("file.save", "_Enregistrer")
	}
	var frees []unsafe.Pointer
	cstr := func(s string) *C.char {
		c := C.CString(s)
		frees = append(frees, unsafe.Pointer(c))
		return c
	}
	defer func() {
		for _, p := range frees {
			C.free(p)
		}
	}()
	dlg := C.convive_chooser(cstr(title), action, cstr(lang.X("file.cancel", "_Annuler")), cstr(accept))
	chooser := (*C.GtkFileChooser)(unsafe.Pointer(dlg))
	if len(filter.Extensions) > 0 {
		f := C.gtk_file_filter_new()
		C.gtk_file_filter_set_name(f, cstr(filter.Description))
		for _, ext := range filter.Extensions {
			C.gtk_file_filter_add_pattern(f, cstr(anyCase("*"+ext)))
		}
		C.gtk_file_chooser_add_filter(chooser, f)
	}
	if save {
		C.gtk_file_chooser_set_do_overwrite_confirmation(chooser, C.TRUE)
		if suggested != "" {
			C.gtk_file_chooser_set_current_name(chooser, cstr(suggested))
		}
	}
	answer := C.gtk_dialog_run((*C.GtkDialog)(unsafe.Pointer(dlg)))
	path := ""
	if answer == C.GTK_RESPONSE_ACCEPT {
		// nil for a place that is not a file of this computer
		if name := C.gtk_file_chooser_get_filename(chooser); name != nil {
			path = C.GoString(name)
			C.g_free(C.gpointer(name))
		}
	}
	C.convive_close(dlg)
	if path == "" {
		return "", errNativeCancelled
	}
	return path, nil
}

// anyCase turns a file pattern into one that ignores case, as GTK 3's patterns do
// not: « *.xlsx » becomes « *.[xX][lL][sS][xX] », for files named MODELE.XLSX.
func anyCase(pattern string) string {
	var b strings.Builder
	for _, r := range pattern {
		if lo, up := unicode.ToLower(r), unicode.ToUpper(r); lo != up {
			b.WriteString("[" + string(lo) + string(up) + "]")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
