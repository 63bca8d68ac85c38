package encoder_test

import (
	"context"
	"fmt"

	"github.com/reel-video/reel/encoder"
)

func ExampleProbe() {
	info, err := encoder.Probe(context.Background(), "../testdata/media/bigbuckbunny.mp4", encoder.ProbeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := info.Video()
	fmt.Println(v.Codec, v.Width, v.Height, v.PixelFormat, v.FrameRate, v.FrameCount)
	// Output: h264 1280 720 yuv420p 25/1 132
}

func ExampleOpenDecoder() {
	d, err := encoder.OpenDecoder(context.Background(), "../testdata/media/bigbuckbunny.mp4",
		encoder.DecoderOptions{Width: 640, Height: 360})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	f, err := d.Next()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Index, f.Format())
	// Output: 0 640x360 yuv420p
}
