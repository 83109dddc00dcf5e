package com.dubbomesh.demo;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A user, shaped like a real service's POJO: a nested object, an enum, a
 * list, a map, a date, a decimal, an array and a list of nested objects.
 * Hessian writes the fields of java.lang types and primitives first, then
 * the others, each group in declaration order.
 */
public class User implements Serializable {
    private static final long serialVersionUID = 1L;

    private long id;
    private String name;
    private Role role;
    private Address address;
    private List<String> tags;
    private Map<String, Integer> scores;
    private Date created;
    private BigDecimal balance;
    private int[] lucky;
    private List<Address> previous;

    public long getId() { return id; }
    public void setId(long id) { this.id = id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public Role getRole() { return role; }
    public void setRole(Role role) { this.role = role; }
    public Address getAddress() { return address; }
    public void setAddress(Address address) { this.address = address; }
    public List<String> getTags() { return tags; }
    public void setTags(List<String> tags) { this.tags = tags; }
    public Map<String, Integer> getScores() { return scores; }
    public void setScores(Map<String, Integer> scores) { this.scores = scores; }
    public Date getCreated() { return created; }
    public void setCreated(Date created) { this.created = created; }
    public BigDecimal getBalance() { return balance; }
    public void setBalance(BigDecimal balance) { this.balance = balance; }
    public int[] getLucky() { return lucky; }
    public void setLucky(int[] lucky) { this.lucky = lucky; }
    public List<Address> getPrevious() { return previous; }
    public void setPrevious(List<Address> previous) { this.previous = previous; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof User)) {
            return false;
        }
        User u = (User) o;
        return id == u.id && Objects.equals(name, u.name) && role == u.role
                && Objects.equals(address, u.address) && Objects.equals(tags, u.tags)
                && Objects.equals(scores, u.scores) && Objects.equals(created, u.created)
                && Objects.equals(balance, u.balance) && Arrays.equals(lucky, u.lucky)
                && Objects.equals(previous, u.previous);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, role);
    }

    @Override
    public String toString() {
        return "User{id=" + id + ", name=" + name + ", role=" + role + ", address=" + address
                + ", tags=" + tags + ", scores=" + scores
                + ", created=" + (created == null ? null : created.getTime())
                + ", balance=" + balance + ", lucky=" + Arrays.toString(lucky)
                + ", previous=" + previous + "}";
    }
}
