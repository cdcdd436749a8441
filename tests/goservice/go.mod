module husk.test/goservice

go 1.19
