package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// saveRun fires n concurrent read-modify-write saves (web/story.js, the
// demo's own code) at story 1 of a fresh database, with story 2 saving in
// parallel, and returns the final revs of both.
const saveRun = `(async (n, lock) => {
	const { openDB, saveStory, loadStory } = await import('/story.js');
	const db = await openDB('e2e-' + lock + '-' + Math.random());
	const saves = [];
	for (let i = 0; i < n; i++) {
		saves.push(saveStory(db, 1, { body: 'edit ' + i }, { lock }));
		saves.push(saveStory(db, 2, { body: 'other ' + i }, { lock: true }));
	}
	await Promise.all(saves);
	const [one, two] = [await loadStory(db, 1), await loadStory(db, 2)];
	db.close();
	return [one.rev, two.rev, lockManager.query().held.length];
})`

func TestIndexedDBSavesWithTheLockKeepEveryEdit(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	revs := eval[[]int](tb, saveRun+`(200, true)`)
	require.Len(t, revs, 3)
	assert.Equal(t, 200, revs[0], "story 1: every locked save kept")
	assert.Equal(t, 200, revs[1], "story 2, saved in parallel")
	assert.Zero(t, revs[2], "no lock left held")
}

// Without the lock the same saves lose updates: the test above can fail.
func TestIndexedDBSavesWithoutTheLockLoseEdits(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	revs := eval[[]int](tb, saveRun+`(200, false)`)
	require.Len(t, revs, 3)
	assert.Less(t, revs[0], 200, "unlocked saves must lose updates")
	assert.Equal(t, 200, revs[1], "the locked story next to it still keeps all")
	t.Logf("without the lock: rev %d of 200", revs[0])
}

// Group commit never moves a save past another request on the story's
// key: a save made after a delete lands after the delete.
func TestIndexedDBSavesKeepTheirPlaceAmongOtherRequests(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	got := eval[map[string]any](tb, `(async () => {
		const { openDB, saveStory, loadStory, deleteStory } = await import('/story.js');
		const db = await openDB('e2e-order-' + Math.random());
		const release = await lockManager.acquire('story:7');
		const s1 = saveStory(db, 7, { body: 's1' });
		const del = lockManager.withLock('story:7', () => deleteStory(db, 7));
		const s2 = saveStory(db, 7, { body: 's2' });
		const s3 = saveStory(db, 7, { body: 's3' }); // joins s2: nothing between them
		release();
		const [r1, , r2, r3] = await Promise.all([s1, del, s2, s3]);
		const final = await loadStory(db, 7);
		db.close();
		return { r1: r1.rev, r2: r2.rev, r3: r3.rev, body: final?.body ?? 'deleted', rev: final?.rev ?? 0 };
	})()`)
	assert.Equal(t, float64(1), got["r1"], "s1 on an empty store")
	assert.Equal(t, float64(1), got["r2"], "s2 after the delete starts over")
	assert.Equal(t, float64(2), got["r3"])
	assert.Equal(t, "s3", got["body"], "the last save wins, after the delete")
	assert.Equal(t, float64(2), got["rev"])
}
