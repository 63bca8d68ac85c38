package wholefile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/reel-video/reel/store/wholefile"
)

func Example() {
	dir, err := os.MkdirTemp("", "wholefile-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "out", "report.json")

	// Small data in one call.
	if err := wholefile.WriteFile(path, []byte(`{"version": 1}`+"\n")); err != nil {
		log.Fatal(err)
	}

	// Or streamed: readers of path see the old report until Commit.
	f, err := wholefile.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Abort() // does nothing once committed
	fmt.Fprintln(f, `{"version": 2}`)
	if err := f.Commit(); err != nil {
		log.Fatal(err)
	}

	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output: {"version": 2}
}
