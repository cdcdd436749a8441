// Test service for husk's integration suite: a static net/http server as a
// Go service would be deployed. Without -graceful it installs no signal
// handler, so SIGTERM kills it (exit 143 under a proper init, 2 as pid 1).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// selftest asks the service's own /health and reports what the service
// sees of its sandbox; the quick-start demo runs it, since a service in a
// private network namespace cannot be reached from the host.
func selftest(addr string) bool {
	resp, err := http.Get("http://" + addr + "/health")
	body := ""
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = strings.TrimSpace(string(b))
	}
	fmt.Printf("GET /health -> %q (err=%v)\n", body, err)
	host, _ := os.Hostname()
	fmt.Printf("uid=%d gid=%d hostname=%s\n", os.Getuid(), os.Getgid(), host)
	if f, err := os.Open("/proc/self/status"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			l := sc.Text()
			for _, k := range []string{"CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:"} {
				if strings.HasPrefix(l, k) {
					fmt.Println(l)
				}
			}
		}
		f.Close()
	}
	fmt.Printf("write /etc/x: %v\n", os.WriteFile("/etc/x", []byte("x"), 0o644))
	fmt.Printf("unshare(CLONE_NEWUSER): %v\n", syscall.Unshare(syscall.CLONE_NEWUSER))
	fmt.Printf("GOMAXPROCS=%s GOMEMLIMIT=%s\n", os.Getenv("GOMAXPROCS"), os.Getenv("GOMEMLIMIT"))
	return err == nil && body == "ok"
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	graceful := flag.Bool("graceful", false, "shut down cleanly on SIGTERM and exit 0")
	once := flag.Bool("once", false, "exit 0 right after the listener is up")
	self := flag.Bool("selftest", false, "serve, GET /health, report the sandbox, exit")
	inherited := flag.Bool("listen-fd", false, "serve on fd 3, passed with LISTEN_FDS (socket activation)")
	notify := flag.Bool("notify", false, "tell $NOTIFY_SOCKET READY=1 once serving (Type=notify)")
	flag.Parse()

	var ln net.Listener
	var err error
	if *inherited {
		// The systemd protocol: LISTEN_PID names this process, the fds
		// start at 3.
		if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) || os.Getenv("LISTEN_FDS") == "" {
			fmt.Fprintf(os.Stderr, "no socket passed: LISTEN_PID=%q LISTEN_FDS=%q pid %d\n",
				os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getpid())
			os.Exit(3)
		}
		ln, err = net.FileListener(os.NewFile(3, os.Getenv("LISTEN_FDNAMES")))
		fmt.Printf("inherited fd 3 (LISTEN_FDS=%s LISTEN_FDNAMES=%s)\n", os.Getenv("LISTEN_FDS"),
			os.Getenv("LISTEN_FDNAMES"))
	} else {
		ln, err = net.Listen("tcp", *addr)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen %s: %v\n", *addr, err)
		os.Exit(3)
	}
	fmt.Printf("listening on %s uid=%d gid=%d\n", ln.Addr(), os.Getuid(), os.Getgid())
	if *notify {
		// The sd_notify protocol: one datagram; a leading '@' is an
		// abstract socket, which Go's net package understands.
		c, err := net.Dial("unixgram", os.Getenv("NOTIFY_SOCKET"))
		if err == nil {
			_, err = c.Write([]byte("READY=1\nSTATUS=serving\nMAINPID=2\n"))
			c.Close()
		}
		fmt.Printf("notify %s: %v\n", os.Getenv("NOTIFY_SOCKET"), err)
	}
	if *once {
		os.Exit(0)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if *graceful {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		go func() {
			<-ch
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		}()
	}
	if *self {
		go srv.Serve(ln)
		if !selftest(ln.Addr().String()) {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
