// Answers, for each "pattern<TAB>image" line on stdin, whether the pattern is valid and matches the image, with the
// doublestar version and call gitlab-runner uses for allowed_images and allowed_services (common/allowed_images.go).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		pattern, image, _ := strings.Cut(in.Text(), "\t")
		matched, _ := doublestar.Match(pattern, image)
		fmt.Printf("%t\t%t\n", doublestar.ValidatePattern(pattern), matched)
	}
}
