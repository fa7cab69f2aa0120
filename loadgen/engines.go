package loadgen

// The engines' names, as Result.Engine and the CSV's engine column carry them.
const (
	EngineClosed       = "closed"        // RunClosed: N connections, a request in flight each
	EngineOpen         = "open"          // RunOpen: vegeta at a constant (or ramped) rate
	EngineVegetaClosed = "vegeta-closed" // RunVegetaClosed: vegeta's own closed loop, for comparison
	EngineIdle         = "idle"          // Hold: idle keep-alive connections, no load
)
