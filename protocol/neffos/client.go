package neffos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// Client is the agent side of a connection: handshake, namespace join and
// requests that may be in flight concurrently. Unlike the neffos library,
// which derives wait tokens from the clock (two concurrent requests on one
// connection can then share a token and receive each other's replies), it
// numbers its waits, so every reply reaches its own request.
type Client struct {
	ws      *websocket.Conn
	ID      string // the server's connection id
	seq     atomic.Int64
	mu      sync.Mutex
	waiting map[string]chan Message
	// OnEvent receives messages that answer no request (pushed probe
	// lists, deactivate, namespace disconnects); it runs on the read loop.
	onEvent func(Message)
	done    chan struct{}
}

// ErrClosed is returned for requests on a closed connection.
var ErrClosed = errors.New("neffos connection closed")

// Dial connects to url with the given upgrade headers, completes the
// handshake (a rejection comes back as *RejectedError) and joins namespace.
func Dial(ctx context.Context, url string, header http.Header, namespace string, onEvent func(Message)) (*Client, error) {
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(4 << 20)
	if err := ws.Write(ctx, websocket.MessageText, []byte(ClientAck)); err != nil {
		ws.CloseNow()
		return nil, err
	}
	_, frame, err := ws.Read(ctx)
	if err != nil {
		ws.CloseNow()
		return nil, err
	}
	id, err := ParseServerAck(frame)
	if err != nil {
		ws.CloseNow()
		return nil, err
	}
	if onEvent == nil {
		onEvent = func(Message) {}
	}
	c := &Client{ws: ws, ID: id, waiting: map[string]chan Message{}, onEvent: onEvent, done: make(chan struct{})}
	go c.readLoop()
	reply, err := c.Ask(ctx, Message{Namespace: namespace, Event: OnNamespaceConnect})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("join namespace %q: %w", namespace, err)
	}
	if reply.IsError {
		c.Close()
		return nil, fmt.Errorf("join namespace %q: %s", namespace, reply.Body)
	}
	return c, nil
}

func (c *Client) readLoop() {
	defer close(c.done)
	for {
		_, frame, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		m, err := Parse(frame)
		if err != nil {
			continue
		}
		c.mu.Lock()
		ch := c.waiting[m.Wait]
		delete(c.waiting, m.Wait)
		c.mu.Unlock()
		switch {
		case ch != nil:
			ch <- m
		case m.Event == OnNamespaceDisconnect && m.Wait != "":
			c.onEvent(m)
			_ = c.ws.Write(context.Background(), websocket.MessageText, EmptyReply(m.Wait))
		default:
			c.onEvent(m)
		}
	}
}

// Ask sends m with a fresh wait token and returns the reply (an error
// reply is returned as a message with IsError set).
func (c *Client) Ask(ctx context.Context, m Message) (Message, error) {
	m.Wait = "$" + strconv.FormatInt(c.seq.Add(1), 10)
	ch := make(chan Message, 1)
	c.mu.Lock()
	c.waiting[m.Wait] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.waiting, m.Wait)
		c.mu.Unlock()
	}
	if err := c.ws.Write(ctx, websocket.MessageText, m.Marshal()); err != nil {
		forget()
		return Message{}, err
	}
	select {
	case reply := <-ch:
		return reply, nil
	case <-c.done:
		forget()
		return Message{}, ErrClosed
	case <-ctx.Done():
		forget()
		return Message{}, ctx.Err()
	}
}

// Emit sends m without waiting for a reply.
func (c *Client) Emit(ctx context.Context, m Message) error {
	m.Wait = ""
	return c.ws.Write(ctx, websocket.MessageText, m.Marshal())
}

// Close ends the connection.
func (c *Client) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "") }
