//go:build ignore

// icon_gen draws assets/icon.png: a teal rounded square with a cream "C" whose opening
// holds an orange dot, a guest at the table. Run it with `go generate ./assets`.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const (
	size    = 512
	samples = 4 // per axis, for anti-aliasing
)

var (
	teal   = [3]float64{0x14, 0x83, 0x80}
	deep   = [3]float64{0x0c, 0x55, 0x5a}
	cream  = [3]float64{0xfb, 0xf3, 0xe4}
	orange = [3]float64{0xf2, 0x8c, 0x38}
)

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < samples; sy++ {
				for sx := 0; sx < samples; sx++ {
					x := float64(px) + (float64(sx)+0.5)/samples
					y := float64(py) + (float64(sy)+0.5)/samples
					c, ok := shade(x, y)
					if ok {
						r, g, b, a = r+c[0], g+c[1], b+c[2], a+1
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r / a), G: uint8(g / a), B: uint8(b / a),
				A: uint8(255 * a / (samples * samples)),
			})
		}
	}
	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// shade returns the colour at (x, y), front shape first, and false outside the icon.
func shade(x, y float64) ([3]float64, bool) {
	if !inRoundedSquare(x, y, 16, 112) {
		return [3]float64{}, false
	}
	const cx, cy, mid, half = 250, 256, 138, 34
	// The dot sits in the opening of the C.
	if math.Hypot(x-(cx+mid+6), y-cy) <= 40 {
		return orange, true
	}
	d := math.Hypot(x-cx, y-cy)
	angle := math.Atan2(y-cy, x-cx)
	const gap = 50 * math.Pi / 180
	if math.Abs(d-mid) <= half && math.Abs(angle) >= gap {
		return cream, true
	}
	for _, s := range []float64{-1, 1} {
		ex, ey := cx+mid*math.Cos(gap), cy+s*mid*math.Sin(gap)
		if math.Hypot(x-ex, y-ey) <= half {
			return cream, true
		}
	}
	t := y / size
	return mix(teal, deep, t), true
}

func inRoundedSquare(x, y, margin, radius float64) bool {
	lo, hi := margin+radius, size-margin-radius
	dx := math.Max(math.Max(lo-x, x-hi), 0)
	dy := math.Max(math.Max(lo-y, y-hi), 0)
	if x < margin || x > size-margin || y < margin || y > size-margin {
		return false
	}
	return dx*dx+dy*dy <= radius*radius
}

func mix(a, b [3]float64, t float64) [3]float64 {
	return [3]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}
