module huskbench/hello

go 1.19
