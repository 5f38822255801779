package oncall

// EchoWrite is echoWrite, for the package's external tests.
var EchoWrite = echoWrite
