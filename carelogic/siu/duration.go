package siu

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxDuration bounds a duration read from a message; anything longer is a data error, not an appointment.
const maxDuration = 31 * 24 * time.Hour

var (
	errDurationValue = errors.New("duration is not a positive number")
	errDurationUnits = errors.New("duration units not recognised (want s, min, h or d, as ISO+ or ANSI+ codes or words)")
	errDurationRange = errors.New("duration longer than 31 days")
)

// parseDuration reads an HL7 duration: a number and a units code. HL7 says a missing units code means seconds
// ("s"). Units are matched case-insensitively on the ISO+ and ANSI+ codes for seconds, minutes, hours and days
// and on the English words; "m" is refused, as it means minutes in some feeds and metres or months in others.
func parseDuration(value, units string) (time.Duration, error) {
	v, err := strconv.ParseFloat(value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return 0, errDurationValue
	}
	var unit time.Duration
	switch strings.ToLower(units) {
	case "", "s", "sec", "secs", "second", "seconds":
		unit = time.Second
	case "min", "mins", "minute", "minutes":
		unit = time.Minute
	case "h", "hr", "hrs", "hour", "hours":
		unit = time.Hour
	case "d", "day", "days":
		unit = 24 * time.Hour
	default:
		return 0, errDurationUnits
	}
	if v > float64(maxDuration/unit) {
		return 0, errDurationRange
	}
	return time.Duration(math.Round(v * float64(unit))), nil
}
