module buildfleet.dev/test-infra/doublestar

go 1.22

require github.com/bmatcuk/doublestar/v4 v4.10.0
