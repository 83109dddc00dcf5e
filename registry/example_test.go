package registry_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/dubbomesh/dubbomesh/registry"
)

// A provider agent registers; a consumer agent discovers it.
func Example() {
	dir, err := os.MkdirTemp("", "etcd-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	etcd, err := registry.StartEmbedded(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer etcd.Close()

	cli, err := clientv3.New(clientv3.Config{Endpoints: etcd.Endpoints(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		log.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Provider agent side.
	reg, err := registry.Register(ctx, cli, []registry.Endpoint{{
		Interface: "com.alibaba.dubbo.performance.demo.provider.IHelloService",
		Addr:      "10.10.10.3:30000",
		Weight:    3,
		Capacity:  200,
	}}, registry.DefaultTTL)
	if err != nil {
		log.Fatal(err)
	}

	// Consumer agent side: onUpdate would rebuild the load balancers.
	updates := make(chan registry.Snapshot, 10)
	d, err := registry.Discover(ctx, cli, func(s registry.Snapshot) { updates <- s })
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	for iface, eps := range <-updates {
		fmt.Println(iface, eps)
	}

	// On SIGTERM the provider agent revokes its lease first.
	if err := reg.Close(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(<-updates), "interfaces")
	// Output:
	// com.alibaba.dubbo.performance.demo.provider.IHelloService [{com.alibaba.dubbo.performance.demo.provider.IHelloService 10.10.10.3:30000 3 200}]
	// 0 interfaces
}

func ExampleKey() {
	key := registry.Key("com.example.Greeter", "10.0.0.7:30000")
	iface, addr, err := registry.ParseKey(key)
	fmt.Println(key)
	fmt.Println(iface, addr, err)
	w, err := registry.DecodeValue([]byte(registry.EncodeValue(5)))
	fmt.Println(registry.EncodeValue(5), w, err)
	w, c, err := registry.DecodeRecord([]byte(registry.EncodeRecord(3, 200)))
	fmt.Println(registry.EncodeRecord(3, 200), w, c, err)
	// Output:
	// /dubbomesh/com.example.Greeter/10.0.0.7:30000
	// com.example.Greeter 10.0.0.7:30000 <nil>
	// {"weight":5} 5 <nil>
	// {"weight":3,"capacity":200} 3 200 <nil>
}

// A three-member cluster loses its leader; the other two elect a new one,
// and a client given every endpoint carries on.
func ExampleStartEmbeddedCluster() {
	dir, err := os.MkdirTemp("", "etcd-cluster-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	c, err := registry.StartEmbeddedCluster(dir, 3)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		log.Fatal(err)
	}
	defer cli.Close()

	old := c.Leader()
	c.Stop(old) // as if its process had been killed
	for c.Leader() < 0 {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("new leader elected:", c.Leader() != old)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, "k", "v"); err != nil {
		log.Fatal(err)
	}
	if err := c.Restart(old); err != nil { // rejoins on its data and ports
		log.Fatal(err)
	}
	fmt.Println("members:", len(c.Endpoints()))
	// Output:
	// new leader elected: true
	// members: 3
}
