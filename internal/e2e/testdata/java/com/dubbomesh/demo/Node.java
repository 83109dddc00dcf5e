package com.dubbomesh.demo;

import java.io.Serializable;

/** A linked-list node: UserService.cycle returns one whose next is itself. */
public class Node implements Serializable {
    private static final long serialVersionUID = 1L;

    private String name;
    private Node next;

    public Node() {
    }

    public Node(String name) {
        this.name = name;
    }

    public String getName() { return name; }
    public Node getNext() { return next; }
    public void setNext(Node next) { this.next = next; }

    @Override
    public String toString() {
        return "Node{name=" + name + ", next=" + (next == null ? null : next.name) + "}";
    }
}
