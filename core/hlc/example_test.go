package hlc_test

import (
	"fmt"
	"time"

	"github.com/idbsync/idbsync/core/hlc"
)

func Example() {
	// A fake wall clock frozen at a fixed millisecond.
	wall := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
	clock := hlc.NewClock(func() time.Time { return wall }, 0)

	// Two ticks in the same millisecond: the counter breaks the tie.
	a, _ := clock.Tick()
	b, _ := clock.Tick()
	fmt.Println(a)
	fmt.Println(b)
	fmt.Println(a < b)

	// A remote replica's clock is 5 s ahead; observing its stamp moves ours
	// forward so the next local tick orders after it.
	remote, _ := hlc.New(uint64(wall.Add(5*time.Second).UnixMilli()), 7)
	fmt.Println(clock.Observe(remote))
	c, _ := clock.Tick()
	fmt.Println(c)
	fmt.Println(c > remote)

	// A stamp more than the maximum skew ahead is refused.
	far, _ := hlc.New(uint64(wall.Add(time.Hour).UnixMilli()), 0)
	fmt.Println(clock.Observe(far) != nil)

	// Output:
	// 2024-01-02T03:04:05.006Z+0
	// 2024-01-02T03:04:05.006Z+1
	// true
	// <nil>
	// 2024-01-02T03:04:10.006Z+8
	// true
	// true
}
