// The benchmark's service: a static Go hello. With -sleep it stays up for
// that long, so the launcher's memory can be read while it supervises.
package main

import (
	"flag"
	"fmt"
	"time"
)

func main() {
	sleep := flag.Duration("sleep", 0, "stay up this long before exiting")
	flag.Parse()
	time.Sleep(*sleep)
	fmt.Println("hello")
}
