package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/carelogic/siu/mllp"
)

// send is the send subcommand: it reads the SIU messages of each file (one or several a file, as siu.Reader
// splits them), sends each over MLLP and prints its ACK: the code, the control id it acknowledges, and the
// reason of an AE or AR. It stops at the first message not acknowledged AA.
func send(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("service send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:2575", "the service's MLLP address")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: service send [-addr HOST:PORT] FILE...\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("send: no file given")
	}
	conn, err := mllp.Dial(ctx, *addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		rd := siu.NewReader(f)
		for n := 1; ; n++ {
			m, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", path, err)
			}
			ack, err := conn.Send(ctx, []byte(m.String()))
			if err != nil {
				f.Close()
				return fmt.Errorf("%s: message %d: %w", path, n, err)
			}
			fmt.Fprintf(stdout, "%s message %d: %s %s %s\n", path, n, ack.Code, ack.ControlID, ack.Text)
			if ack.Code != mllp.ApplicationAccept {
				f.Close()
				return fmt.Errorf("%s: message %d not accepted", path, n)
			}
		}
		f.Close()
	}
	return nil
}
