package mllp_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/carelogic/siu/mllp"
)

// A receiver that applies each SIU message to a Feed, and a sender that sends it one.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	feed := siu.NewFeed()
	srv := &mllp.Server{
		Handler: mllp.HandlerFunc(func(ctx context.Context, m *siu.Message, raw []byte) error {
			// A real receiver writes raw to durable storage first: once this returns nil the sender gets AA and
			// forgets the message. A message the Feed cannot convert gives a *siu.Error, answered AR.
			_, err := feed.Apply(m)
			return err
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	msg, err := os.ReadFile("testdata/booking.hl7")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := mllp.Dial(ctx, ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	ack, err := conn.Send(ctx, msg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ack.Code, ack.ControlID)
	fmt.Println(feed.Len(), "occurrence")

	cancel() // shuts the server down, after it has answered every message it read
	if err := <-served; err != nil {
		log.Fatal(err)
	}
	// Output:
	// AA BOOK-1
	// 1 occurrence
}
