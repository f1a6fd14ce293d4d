package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ScratchPoolTest {

    private final AtomicInteger made = new AtomicInteger();
    private final List<Integer> released = new ArrayList<>();

    private ScratchPool<Integer> pool(int maxIdle) {
        return new ScratchPool<>(
                "TestOwner",
                maxIdle,
                made::incrementAndGet,
                set -> {
                    synchronized (released) {
                        released.add(set);
                    }
                });
    }

    @Test
    void reusesUpToMaxIdleAndReleasesExtrasOnReturn() {
        ScratchPool<Integer> pool = pool(2);
        Integer a = pool.borrow("m");
        pool.giveBack(a);
        assertEquals(a, pool.borrow("m"), "an idle set is reused, not remade");
        assertEquals(1, made.get());

        List<Integer> borrowed = new ArrayList<>(List.of(a));
        for (int i = 0; i < 4; i++) {
            borrowed.add(pool.borrow("m")); // the pool is empty: made on demand
        }
        assertEquals(5, pool.live());
        borrowed.forEach(pool::giveBack);
        assertEquals(2, pool.idle(), "at most maxIdle kept");
        assertEquals(3, released.size(), "the others released at once");
        assertEquals(2, pool.live());
    }

    @Test
    void closeReleasesIdleSetsAndLateReturnsAndRefusesBorrows() {
        ScratchPool<Integer> pool = pool(4);
        Integer inUse = pool.borrow("m");
        Integer idle = pool.borrow("m");
        pool.giveBack(idle);

        pool.close();
        assertEquals(List.of(idle), released, "idle set released by close");
        assertEquals(1, pool.live(), "the borrowed one is still out");
        pool.giveBack(inUse);
        assertEquals(List.of(idle, inUse), released, "given back after close: released at once");
        assertEquals(0, pool.live());

        pool.close(); // idempotent
        assertEquals(2, released.size());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.borrow("m"));
        assertEquals("m called on a closed TestOwner; build a new one", e.getMessage());
    }

    @Test
    void aFailingFactoryDoesNotCountAsLive() {
        ScratchPool<Integer> pool =
                new ScratchPool<>(
                        "TestOwner",
                        1,
                        () -> {
                            throw new IllegalStateException("no memory");
                        },
                        set -> {});
        assertThrows(IllegalStateException.class, () -> pool.borrow("m"));
        assertEquals(0, pool.live());
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> pool(0))
                        .getMessage()
                        .contains("Received maxIdle=0; expected >= 1"));
    }
}
