// Package assets holds the files Convive embeds in its binary: the application icon
// and, later, the default mail templates.
package assets

import _ "embed"

//go:generate go run icon_gen.go

// IconPNG is the application icon, a 512×512 PNG. The command wraps it in a Fyne
// resource (fyne.NewStaticResource("icon.png", assets.IconPNG)) for the window and the
// desktop bundle uses the same file through FyneApp.toml.
//
//go:embed icon.png
var IconPNG []byte
