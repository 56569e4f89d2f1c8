package p2pstream.tracker;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * A table of objects addressed by small int handles, reusing freed handles first, so that compact int arrays
 * can refer to the objects at 4 bytes a reference. Confined to the registry loop's thread.
 */
final class Handles<T> {
    private Object[] items = new Object[16];
    private int[] free = new int[16];
    private int freeCount;
    private int next;

    /** Makes an item for a free handle with {@code factory} and stores it there; returns the item. */
    T add(IntFunction<T> factory) {
        int h;
        if (freeCount > 0) {
            h = free[--freeCount];
        } else {
            h = next++;
            if (h == items.length) {
                items = Arrays.copyOf(items, h + (h >> 1));
            }
        }
        T item = factory.apply(h);
        items[h] = item;
        return item;
    }

    @SuppressWarnings("unchecked")
    T get(int handle) {
        return (T) items[handle];
    }

    void remove(int handle) {
        items[handle] = null;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount + (freeCount >> 1));
        }
        free[freeCount++] = handle;
    }
}
