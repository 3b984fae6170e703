package main

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// engineHealthInterval is how often the host checks that the engine still
// responds, so that a host whose CLI crashed does not keep running.
const engineHealthInterval = 30 * time.Second

// watchEngine calls stop once the engine at address fails a gRPC health
// check. An engine without the health service (codes.Unimplemented)
// counts as alive.
func watchEngine(ctx context.Context, address string, stop context.CancelFunc) error {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	client := healthpb.NewHealthClient(conn)
	go func() {
		defer conn.Close()
		ticker := time.NewTicker(engineHealthInterval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				checkCtx, cancel := context.WithTimeout(ctx, engineHealthInterval)
				_, err := client.Check(checkCtx, &healthpb.HealthCheckRequest{})
				cancel()
				if err != nil && status.Code(err) != codes.Unimplemented && ctx.Err() == nil {
					stop()
					return
				}
			}
		}
	}()
	return nil
}
