package com.dubbomesh.demo;

/** A user's role. Hessian writes an enum as an object of one field, name. */
public enum Role {
    ADMIN, MEMBER, GUEST
}
