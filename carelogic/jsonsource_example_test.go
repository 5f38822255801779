package carelogic_test

import (
	"errors"
	"fmt"

	"github.com/oncallsync/oncall-go/carelogic"
)

// ReadJSONPath reads a schedule file, or a folder of them. An empty source is an error of its own, so that it is
// never synced as a schedule from which every appointment was removed.
func ExampleReadJSONPath() {
	appts, err := carelogic.ReadJSONPath("testdata")
	if errors.Is(err, carelogic.ErrEmptySource) {
		fmt.Println("nothing to sync")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(appts), "appointments, the first", appts[0].Key())
	// Output:
	// 3 appointments, the first clinic-east/appt-9001
}
