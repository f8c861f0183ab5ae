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
