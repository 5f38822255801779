package carelogic

// Test helpers of this package, for its external tests (package carelogic_test).
var (
	OkAppt    = okAppt
	Schedule  = schedule
	WithField = withField
)
