// Command pulumi-language-nodejs is a Pulumi language host for Node.js and
// TypeScript programs. The Pulumi CLI starts it as
//
//	pulumi-language-nodejs [--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDRESS
//
// and reads the gRPC port it listens on from the first line of its standard
// output. Programs run through the scripts that ship in the @pulumi/pulumi
// npm package (cmd/run, cmd/run-plugin, cmd/run-policy-pack), resolved from
// the program's own node_modules.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// version is reported by GetPluginInfo. The build sets it with
// -ldflags "-X main.version=3.248.0"; the CLI accepts an empty version.
var version = ""

func main() {
	log.SetFlags(0)
	log.SetPrefix("pulumi-language-nodejs: ")

	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ExitOnError)
	tracing := flags.String("tracing", "", "Zipkin-compatible endpoint to send tracing data to")
	// The CLI passes these logging flags to every plugin. This host has no
	// verbose logging, so it accepts them and ignores their values.
	flags.Bool("logtostderr", false, "accepted for compatibility; ignored")
	flags.Int("v", 0, "accepted for compatibility; ignored")
	if err := flags.Parse(os.Args[1:]); err != nil {
		log.Fatal(err)
	}
	engineAddress := flags.Arg(0)

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if engineAddress != "" {
		if err := watchEngine(ctx, engineAddress, cancel); err != nil {
			log.Fatalf("failed to connect to the engine at %s: %v", engineAddress, err)
		}
	}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatalf("failed to listen on 127.0.0.1: %v", err)
	}
	server := grpc.NewServer()
	pulumirpc.RegisterLanguageRuntimeServer(server, newLanguageHost(ctx, engineAddress, *tracing))
	healthpb.RegisterHealthServer(server, health.NewServer())

	// The CLI reads exactly one line from standard output: the port.
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)

	go func() {
		<-ctx.Done()
		// Stop rather than GracefulStop, because the same context kills
		// running programs and the CLI no longer reads any reply.
		server.Stop()
	}()
	if err := server.Serve(listener); err != nil {
		log.Fatalf("gRPC server stopped: %v", err)
	}
}
