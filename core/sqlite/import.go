package sqlite

// Imports: looking accounts up in bulk for the import planner, committing a plan in
// one transaction as a batch, undoing a batch, listing batches. Every audit row a
// commit writes carries the batch id, which is how the undo finds what to revert.

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"convive/core"
)

// lookupChunk bounds the keys of one IN query (SQLite allows 32 766 parameters).
const lookupChunk = 500

// UsersByKeys finds existing accounts by login key and by delivery-address key, with
// their Groups, a chunk of keys per query. It implements core.UserLookup.
func (s *Store) UsersByKeys(ctx context.Context, loginKeys, emailKeys []string) (byLogin, byEmail map[string]core.User, err error) {
	byLogin, byEmail = map[string]core.User{}, map[string]core.User{}
	// The first import into a new file looks up 100 000 addresses among no one.
	var some int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM users LIMIT 1)`).Scan(&some); err != nil {
		return nil, nil, s.dbError(err)
	}
	if some == 0 {
		return byLogin, byEmail, nil
	}
	var found []core.User
	seen := map[int64]int{}
	collect := func(where string, keys []string) error {
		for start := 0; start < len(keys); start += lookupChunk {
			part := keys[start:min(len(keys), start+lookupChunk)]
			q := `SELECT ` + userCols + ` FROM users u WHERE ` + where + ` ORDER BY u.id`
			rows, err := s.r.QueryContext(ctx, q, keysJSON(part))
			if err != nil {
				return err
			}
			for rows.Next() {
				var u core.User
				var created, updated sql.NullInt64
				if err := rows.Scan(&u.ID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &u.Language, &u.Role, &u.Status,
					&created, &updated); err != nil {
					rows.Close()
					return err
				}
				u.Created, u.Updated = fromMillis(created), fromMillis(updated)
				if _, ok := seen[u.ID]; !ok {
					seen[u.ID] = len(found)
					found = append(found, u)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := collect(`u.login_key IN (SELECT value FROM json_each(?))`, loginKeys); err != nil {
		return nil, nil, s.dbError(err)
	}
	// A delivery address is the login of an account without a "#" alias (found by
	// the login index, unless just looked up), or the address of aliases (found by
	// the small index users_email_key, which holds the aliases only).
	asLogin := make(map[string]bool, len(loginKeys))
	for _, k := range loginKeys {
		asLogin[k] = true
	}
	var other []string
	for _, k := range emailKeys {
		if !asLogin[k] {
			other = append(other, k)
		}
	}
	if err := collect(`u.login_key IN (SELECT value FROM json_each(?))`, other); err != nil {
		return nil, nil, s.dbError(err)
	}
	if err := collect(aliasesOf, emailKeys); err != nil {
		return nil, nil, s.dbError(err)
	}
	if err := fillGroups(ctx, s.r, found); err != nil {
		return nil, nil, s.dbError(err)
	}
	wantLogin := make(map[string]bool, len(loginKeys))
	for _, k := range loginKeys {
		wantLogin[k] = true
	}
	wantEmail := make(map[string]bool, len(emailKeys))
	for _, k := range emailKeys {
		wantEmail[k] = true
	}
	for _, u := range found {
		a, err := core.ParseAddress(u.Login)
		if err != nil {
			continue // a login stored before a rule changed: it matches nothing
		}
		if wantLogin[a.Key] {
			byLogin[a.Key] = u
		}
		if wantEmail[a.EmailKey()] {
			if _, ok := byEmail[a.EmailKey()]; !ok {
				byEmail[a.EmailKey()] = u
			}
		}
	}
	return byLogin, byEmail, nil
}

// aliasesOf selects the accounts with a "#" alias whose delivery address is among the
// keys of a JSON array, through the partial index users_email_key.
const aliasesOf = `instr(u.login_key, '#') > 0 AND u.email_key IN (SELECT value FROM json_each(?))`

// batchCols are the columns scanBatch reads, in order.
const batchCols = `id, file, sheet, who, created, rows, new_users, updated, invited, undone_at`

func scanBatch(sc interface{ Scan(...any) error }) (core.Batch, error) {
	var b core.Batch
	var created, undone sql.NullInt64
	err := sc.Scan(&b.ID, &b.File, &b.Sheet, &b.Who, &created, &b.Rows, &b.NewUsers, &b.Updated, &b.Invited, &undone)
	b.Created, b.Undone = fromMillis(created), fromMillis(undone)
	return b, err
}

// Batches lists the imports, newest first.
func (s *Store) Batches(ctx context.Context) ([]core.Batch, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+batchCols+` FROM batches ORDER BY id DESC`)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	out := []core.Batch{}
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, s.dbError(err)
		}
		out = append(out, b)
	}
	return out, s.dbError(rows.Err())
}

// Batch returns one import.
func (s *Store) Batch(ctx context.Context, id int64) (core.Batch, error) {
	b, err := scanBatch(s.r.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, batchNotFound(id)
	}
	return b, s.dbError(err)
}

func batchNotFound(id int64) *core.Error {
	return core.Errorf(core.ENotFound, "batch.not_found",
		"L'import n°\u00a0{{.ID}} n'existe pas. Les imports enregistrés sont listés par\u00a0: convive import --list",
		map[string]any{"ID": id})
}

// importChange is the detail of the audit row of a user created or updated by an
// import: the fields before and after, the row of the sheet, and the memberships it
// added (what an undo takes away again).
type importChange struct {
	Before      map[string]any `json:"before,omitempty"`
	After       map[string]any `json:"after,omitempty"`
	Line        int            `json:"line"`
	AddedGroups []int64        `json:"added_group_ids,omitempty"`
}

// createdRuns lists the users an import created, in the detail of its "batch.import"
// audit row rather than one audit row per user: each run [id, line, n] says that
// the users id … id+n-1 came from the rows line … line+n-1 of the sheet. A clean file
// of 100 000 people makes one run; the history of one of them and the undo read it.
type createdRuns [][3]int64

// add records that user id came from the row line.
func (c *createdRuns) add(id int64, line int) {
	if n := len(*c); n > 0 {
		last := &(*c)[n-1]
		if last[0]+last[2] == id && last[1]+last[2] == int64(line) {
			last[2]++
			return
		}
	}
	*c = append(*c, [3]int64{id, int64(line), 1})
}

// line returns the row user id came from, and whether the runs hold it.
func (c createdRuns) line(id int64) (int, bool) {
	for _, r := range c {
		if id >= r[0] && id < r[0]+r[2] {
			return int(r[1] + id - r[0]), true
		}
	}
	return 0, false
}

// batchDetail is the audit detail of a "batch.import" row.
type batchDetail struct {
	After   map[string]any `json:"after"`
	Created createdRuns    `json:"created_users,omitempty"`
}

// batchCreated reads the runs of users a batch created, from its audit row.
func batchCreated(ctx context.Context, q querier, batch int64) (createdRuns, error) {
	var detail string
	err := q.QueryRowContext(ctx, `SELECT detail FROM audit WHERE action = 'batch.import' AND entity = 'batch' AND entity_id = ?`, batch).Scan(&detail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var d batchDetail
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return nil, fmt.Errorf("audit detail of batch %d: %w", batch, err)
	}
	return d.Created, nil
}

// mailChunk is how many mails are queued at a time: their bodies are not all held.
const mailChunk = 500

// importer holds the prepared statements and the state of one commit.
type importer struct {
	s       *Store
	tx      *sql.Tx
	batch   int64
	at      int64
	tree    *tree
	groups  map[string]*node // cleaned path, and "\x00" + its folded form → group
	audit   *sql.Stmt
	invite  *sql.Stmt
	tokens  *tokenWriter
	pending []core.Message
	created createdRuns

	// New users are written usersPerInsert at a time, with the ids the importer gives
	// them (the transaction holds the only write lock, so max(id)+1 onwards are free);
	// their memberships follow in the same way.
	nextID  int64
	keys    keyMaker
	fresh   []freshUser
	users   *multiInsert
	members *multiInsert
	invites bool // new users are invited
	meta    core.ImportMeta

	// bulk is set for a big import into a small table: the secondary indexes of
	// users and memberships are dropped at the start of the transaction and built
	// again at its end, the search entries are added in one statement, and the new
	// users' memberships are written at the end in the order of the primary key.
	bulk        bool
	bulkMembers [][2]int64 // group id, user id
}

// freshUser is a new user written by the next multi-row insert.
type freshUser struct {
	row   *core.PlannedRow
	user  core.User
	nodes []*node
}

// bulkRows is the number of new users from which an import into a table holding at
// most twice as many builds the users' indexes once at the end rather than row by row:
// 100 000 users inserted in random name order otherwise spend most of the commit
// re-balancing five sort indexes.
const bulkRows = 5000

// maxHeld bounds the new rows a commit holds in memory, while rows still come, before
// it decides whether the import is big beside the users already stored.
const maxHeld = 50_000

// usersPerInsert and membersPerInsert are the rows of one INSERT statement: one
// statement per row spent more time going in and out of SQLite than writing.
const (
	usersPerInsert   = 32
	membersPerInsert = 128
)

// dropBulkIndexes drops the secondary indexes of users and memberships that new rows
// would fill out of order, and returns the statements that make them again, exactly
// as the schema has them. The unique login index stays, to keep logins unique during
// the import, and so do the indexes that new users only extend at their end (creation
// time, batch, language).
func dropBulkIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('users', 'memberships')
		AND sql IS NOT NULL AND name NOT IN ('users_created', 'users_batch', 'users_language') ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names, ddl []string
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			rows.Close()
			return nil, err
		}
		names, ddl = append(names, n), append(ddl, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(n, `"`, `""`)+`"`); err != nil {
			return nil, err
		}
	}
	return ddl, nil
}

func (im *importer) close() {
	for _, st := range []*sql.Stmt{im.audit, im.invite} {
		if st != nil {
			st.Close()
		}
	}
	for _, m := range []*multiInsert{im.users, im.members} {
		if m != nil {
			m.close()
		}
	}
	if im.tokens != nil {
		im.tokens.close()
	}
}

// group returns the group at a cleaned path, creating the missing ones in the
// transaction.
func (im *importer) group(ctx context.Context, path string) (*node, error) {
	// the same paths come back on thousands of rows: the text as written first, then
	// its folded form, which Fold makes at a cost
	if n, ok := im.groups[path]; ok {
		return n, nil
	}
	key := "\x00" + core.Fold(path)
	if n, ok := im.groups[key]; ok {
		im.groups[path] = n
		return n, nil
	}
	n := im.tree.root
	for _, name := range splitPath(path) {
		clean, err := checkGroupName(name)
		if err != nil {
			return nil, err
		}
		c := n.child(core.Fold(clean))
		if c == nil {
			if c, err = im.s.insertGroup(ctx, im.tx, n, clean); err != nil {
				return nil, err
			}
			im.tree.byID[c.id] = c
		}
		n = c
	}
	im.groups[key], im.groups[path] = n, n
	return n, nil
}

func (im *importer) writeAudit(ctx context.Context, action, entity string, id int64, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = im.audit.ExecContext(ctx, im.at, im.s.who, action, entity, id, string(b), im.batch)
	return err
}

// queue adds a message to the next enqueue; flush writes them.
func (im *importer) queue(ctx context.Context, m core.Message) error {
	im.pending = append(im.pending, m)
	if len(im.pending) >= mailChunk {
		return im.flush(ctx)
	}
	return nil
}

func (im *importer) flush(ctx context.Context) error {
	if len(im.pending) == 0 {
		return nil
	}
	_, err := im.s.enqueueTx(ctx, im.tx, im.pending...)
	im.pending = im.pending[:0]
	return err
}

// CommitImport writes the rows of plan that are new or updated, in one transaction
// (all of them or nothing), as a batch: missing groups are created, new people are
// created active (provision) or invited (one invitation and one queued mail each),
// existing accounts get the non-empty cells that differ and the groups they lacked
// (none is taken away). Every change is audited with the batch id. A cancelled ctx
// rolls everything back. The plan must come from core.Planner.Finish.
func (s *Store) CommitImport(ctx context.Context, plan *core.ImportPlan, meta core.ImportMeta) (core.Batch, error) {
	if plan == nil {
		return core.Batch{}, core.Errorf(core.EInvalid, "import.no_plan", "Rien à importer\u00a0: lisez d'abord un fichier.", nil)
	}
	return s.commitImport(ctx, &wholePlan{plan: plan}, meta, plan.New+plan.Updated)
}

// CommitImportRows is CommitImport for rows that come while the file is read: the
// transaction starts with the first rows and holds the write lock until the last.
// When no row is to be written, nothing is and the Batch returned has no ID.
func (s *Store) CommitImportRows(ctx context.Context, rows core.ImportRows, meta core.ImportMeta) (core.Batch, error) {
	return s.commitImport(ctx, rows, meta, 0)
}

// wholePlan hands a finished plan's rows over at once.
type wholePlan struct {
	plan *core.ImportPlan
	done bool
}

func (w *wholePlan) Next(context.Context) ([]core.PlannedRow, error) {
	if w.done {
		return nil, nil
	}
	w.done = true
	return w.plan.Rows, nil
}

func (w *wholePlan) Plan() core.ImportPlan { return *w.plan }

// errNothingToWrite rolls back a commit whose rows held nothing to write.
var errNothingToWrite = errors.New("nothing to write")

// commitImport is the commit of both: total is the rows to write when known, for the
// progress, else 0.
func (s *Store) commitImport(ctx context.Context, src core.ImportRows, meta core.ImportMeta, total int) (core.Batch, error) {
	var batch core.Batch
	err := s.write(ctx, func(tx *sql.Tx) error {
		// the options are known once the first rows (or the end) are in
		first, err := src.Next(ctx)
		if err != nil {
			return err
		}
		opts := src.Plan().Options
		invite := opts.Action == core.ActionInvite
		if (invite || meta.Welcome) && meta.Mail == nil {
			return core.Errorf(core.EInternal, "import.no_mail", "Les e-mails de l'import ne peuvent pas être préparés (aucun modèle fourni).", nil)
		}
		im := &importer{s: s, tx: tx, at: now(), groups: map[string]*node{}, invites: invite, meta: meta}
		defer im.close()
		var lastAudit int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM audit`).Scan(&lastAudit); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO batches (file, sheet, who, created) VALUES (?, ?, ?, ?)`,
			meta.File, meta.Sheet, s.who, im.at)
		if err != nil {
			return err
		}
		if im.batch, err = res.LastInsertId(); err != nil {
			return err
		}
		if im.tree, err = loadTree(ctx, tx); err != nil {
			return err
		}
		// Rows are held back until it is known whether the import is big beside the
		// users already there: bulkRows new ones, and at least half as many as exist.
		// Past maxHeld new rows, the import is taken as small beside the table.
		held, end := [][]core.PlannedRow{first}, first == nil
		fresh, existing := countNew(first), -1
		big := func() (bool, error) {
			if fresh < bulkRows {
				return false, nil
			}
			if existing < 0 {
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&existing); err != nil {
					return false, err
				}
			}
			return fresh*2 >= existing, nil
		}
		for !end && fresh < maxHeld {
			ok, err := big()
			if err != nil {
				return err
			}
			if ok {
				break
			}
			rows, err := src.Next(ctx)
			if err != nil {
				return err
			}
			held, end = append(held, rows), rows == nil
			fresh += countNew(rows)
		}
		var deferred []string
		if im.bulk, err = big(); err != nil {
			return err
		}
		if im.bulk {
			if deferred, err = dropBulkIndexes(ctx, tx); err != nil {
				return err
			}
			// Its pages go to the log as they fill rather than all at the commit: the
			// writer's usual cache would hold the whole import.
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, bulkCache)); err != nil {
				return err
			}
			defer tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, writerCache))
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM users`).Scan(&im.nextID); err != nil {
			return err
		}
		im.users = newMultiInsert(tx, `INSERT INTO users (id, login, login_key, first_name, last_name, language, role, status,
			fold, sort_last, sort_first, created, updated, batch_id) VALUES `, 14, usersPerInsert, "")
		im.members = newMultiInsert(tx, `INSERT INTO memberships (group_id, user_id, added) VALUES `, 3, membersPerInsert, ` ON CONFLICT DO NOTHING`)
		if im.audit, err = tx.PrepareContext(ctx, `INSERT INTO audit (at, who, action, entity, entity_id, detail, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?)`); err != nil {
			return err
		}
		if im.invite, err = tx.PrepareContext(ctx, `INSERT INTO invitations (user_id, login, login_key, email, group_id, language, state, created, batch_id)
			VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`); err != nil {
			return err
		}
		if im.tokens, err = newTokenWriter(ctx, tx); err != nil {
			return err
		}
		lang := opts.Language
		if lang == "" {
			lang = core.LangFR
		}
		done := 0
		var created, updated, invited int
		write := func(rows []core.PlannedRow) error {
			for i := range rows {
				r := &rows[i]
				if r.Status != core.RowNew && r.Status != core.RowUpdate {
					continue
				}
				if done%256 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
					if meta.Progress != nil {
						meta.Progress(done, total)
					}
				}
				done++
				nodes := make([]*node, 0, len(r.Groups))
				for _, p := range r.Groups {
					n, err := im.group(ctx, p)
					if err != nil {
						return rowError(r, err)
					}
					if n.up != nil && !slices.Contains(nodes, n) {
						nodes = append(nodes, n)
					}
				}
				if r.Status == core.RowNew {
					if err := im.create(ctx, r, nodes, lang); err != nil {
						return err
					}
					created++
					if invite {
						invited++
					}
					continue
				}
				ok, err := im.update(ctx, r, nodes)
				if err != nil {
					return rowError(r, err)
				}
				if ok {
					updated++
				}
			}
			return nil
		}
		for i, rows := range held {
			if err := write(rows); err != nil {
				return err
			}
			held[i] = nil
		}
		for !end {
			rows, err := src.Next(ctx)
			if err != nil {
				return err
			}
			if end = rows == nil; !end {
				if err := write(rows); err != nil {
					return err
				}
			}
		}
		if err := im.flushUsers(ctx); err != nil {
			return err
		}
		if meta.Progress != nil {
			meta.Progress(done, total) // every row is in; what follows has no rows to count
		}
		slices.SortFunc(im.bulkMembers, func(a, b [2]int64) int {
			return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		})
		for _, m := range im.bulkMembers {
			if err := im.members.put(ctx, m[0], m[1], im.at); err != nil {
				return err
			}
		}
		im.bulkMembers = nil
		if err := im.members.flush(ctx); err != nil {
			return err
		}
		if err := im.flush(ctx); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if created+updated == 0 && total == 0 {
			return errNothingToWrite
		}
		if im.bulk {
			// the search entries and the sort indexes of the new users, built in one
			// pass each rather than row by row
			if _, err := tx.ExecContext(ctx, `INSERT INTO users_search (rowid, fold) SELECT id, fold FROM users WHERE batch_id = ?`, im.batch); err != nil {
				return err
			}
			for _, ddl := range deferred {
				if err := ctx.Err(); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, ddl); err != nil {
					return err
				}
			}
		}
		plan := src.Plan()
		report, err := json.Marshal(map[string]any{
			"mode": plan.Options.Mode, "action": plan.Options.Action, "default_groups": plan.Options.DefaultGroups,
			"new": plan.New, "updated": plan.Updated, "unchanged": plan.Unchanged, "duplicates": plan.Duplicate,
			"invalid": plan.Invalid, "blank": plan.Blank, "last_line": plan.LastLine,
		})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET rows = ?, new_users = ?, updated = ?, invited = ?, report = ? WHERE id = ?`,
			plan.Count(), created, updated, invited, string(report), im.batch); err != nil {
			return err
		}
		if err := im.writeAudit(ctx, "batch.import", "batch", im.batch, batchDetail{After: map[string]any{
			"file": meta.File, "sheet": meta.Sheet, "new_users": created, "updated": updated, "invited": invited,
		}, Created: im.created}); err != nil {
			return err
		}
		// group creations and queued mails were audited by shared helpers: they belong
		// to the batch too
		if _, err := tx.ExecContext(ctx, `UPDATE audit SET batch_id = ? WHERE id > ? AND batch_id IS NULL`, im.batch, lastAudit); err != nil {
			return err
		}
		batch, err = scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE id = ?`, im.batch))
		if meta.Progress != nil {
			meta.Progress(total, total)
		}
		return err
	})
	if errors.Is(err, errNothingToWrite) {
		return core.Batch{}, nil
	}
	if err != nil {
		return core.Batch{}, commitError(err)
	}
	return batch, nil
}

// countNew counts the rows that create an account.
func countNew(rows []core.PlannedRow) int {
	n := 0
	for i := range rows {
		if rows[i].Status == core.RowNew {
			n++
		}
	}
	return n
}

// commitError says that nothing was written, whatever went wrong.
func commitError(err error) error {
	var ce *core.Error
	if errors.As(err, &ce) {
		if ce.Code == core.ECancelled {
			return core.Errorf(core.ECancelled, "import.cancelled", "Import interrompu\u00a0: rien n'a été enregistré.", nil).Wrap(err)
		}
		if strings.HasPrefix(ce.Key, "import.") {
			return err
		}
		return core.Errorf(ce.Code, "import.failed", "L'import n'a pas été enregistré, aucune ligne n'a été écrite\u00a0: {{.Reason}}",
			map[string]any{"Reason": lowerFirst(ce.Error())}).Wrap(err)
	}
	return err
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && r[1] >= 'A' && r[1] <= 'Z' {
		return s // an acronym
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}

// rowError places a failure at its row of the sheet.
func rowError(r *core.PlannedRow, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	var ce *core.Error
	if errors.As(err, &ce) {
		msg = ce.Error()
	} else if strings.Contains(msg, "UNIQUE") && strings.Contains(msg, "login_key") {
		msg = core.Render("l'identifiant «\u00a0{{.Address}}\u00a0» a été pris par un autre compte depuis l'aperçu. Relisez le fichier pour un nouvel aperçu, puis importez de nouveau.",
			map[string]any{"Address": r.Address.Login})
	} else {
		return core.Errorf(core.EInternal, "import.row_failed", "Ligne {{.Line}} («\u00a0{{.Address}}\u00a0»)\u00a0: l'enregistrement a échoué ({{.Cause}})\u00a0; aucune ligne n'a été écrite. Réessayez\u00a0; si l'erreur revient, vérifiez la place sur le disque.",
			map[string]any{"Line": r.Line, "Address": r.Address.Login, "Cause": msg}).Wrap(err)
	}
	return core.Errorf(core.EConflict, "import.row_failed", "Ligne {{.Line}} («\u00a0{{.Address}}\u00a0»)\u00a0: {{.Reason}} Aucune ligne n'a été écrite.",
		map[string]any{"Line": r.Line, "Address": r.Address.Login, "Reason": lowerFirst(strings.TrimSpace(msg))}).Wrap(err)
}

// create queues one new person for the next multi-row insert, which writes them with
// their groups, and their invitation or welcome mail.
func (im *importer) create(ctx context.Context, r *core.PlannedRow, nodes []*node, lang core.Language) error {
	u := core.User{ID: im.nextID, Login: r.Address.Login, Email: r.Address.Email, FirstName: r.FirstName, LastName: r.LastName,
		Language: r.Language, Role: r.Role, Status: core.StatusActive}
	im.nextID++
	if im.invites {
		u.Status = core.StatusInvited
	}
	if u.Language == "" {
		u.Language = lang
	}
	if u.Role == "" {
		u.Role = core.RoleLearner
	}
	k := im.keys.keys(u.Login, u.FirstName, u.LastName)
	im.fresh = append(im.fresh, freshUser{row: r, user: u, nodes: nodes})
	im.users.add(u.ID, u.Login, r.Address.Key, u.FirstName, u.LastName,
		string(u.Language), string(u.Role), string(u.Status), k.fold, k.sortLast, k.sortFirst, im.at, im.at, im.batch)
	if im.users.full() {
		return im.flushUsers(ctx)
	}
	return nil
}

// flushUsers writes the new users still waiting, then what follows them.
func (im *importer) flushUsers(ctx context.Context) error {
	if err := im.users.flush(ctx); err != nil {
		return im.usersFailed(err)
	}
	return im.settle(ctx)
}

// settle follows the users just written: their search entries (a bulk import adds
// them all at the end), their memberships, their place in the batch's runs, and their
// invitation or welcome mail.
func (im *importer) settle(ctx context.Context) error {
	if len(im.fresh) == 0 {
		return nil
	}
	if !im.bulk {
		if _, err := im.tx.ExecContext(ctx, `INSERT INTO users_search (rowid, fold) SELECT id, fold FROM users WHERE id BETWEEN ? AND ?`,
			im.fresh[0].user.ID, im.fresh[len(im.fresh)-1].user.ID); err != nil {
			return err
		}
	}
	for i := range im.fresh {
		f := &im.fresh[i]
		for _, n := range f.nodes {
			if im.bulk {
				im.bulkMembers = append(im.bulkMembers, [2]int64{n.id, f.user.ID})
				continue
			}
			if err := im.members.put(ctx, n.id, f.user.ID, im.at); err != nil {
				return err
			}
		}
		im.created.add(f.user.ID, f.row.Line)
		if im.invites || im.meta.Welcome {
			if err := im.mailNew(ctx, f); err != nil {
				return rowError(f.row, err)
			}
		}
	}
	clear(im.fresh)
	im.fresh = im.fresh[:0]
	return nil
}

// usersFailed places the failure of a multi-row insert of users at its row (a login
// taken by another account since the preview, a full disk…).
func (im *importer) usersFailed(err error) error {
	var rf *rowFailure
	if errors.As(err, &rf) && rf.row < len(im.fresh) {
		return rowError(im.fresh[rf.row].row, rf.err)
	}
	return err
}

// mailNew issues the token of a user just written and queues the invitation or the
// welcome mail.
func (im *importer) mailNew(ctx context.Context, f *freshUser) error {
	names := make([]string, 0, len(f.nodes))
	for _, n := range f.nodes {
		names = append(names, n.path())
	}
	slices.SortFunc(names, core.CompareFrench)
	u := f.user
	u.Groups = names
	kind, purpose, expires := core.KindWelcome, purposeWelcome, time.UnixMilli(im.at).Add(core.WelcomeTokenTTL)
	if im.invites {
		kind, purpose, expires = core.KindInvitation, purposeInvitation, core.NeverExpires
	}
	tok, err := im.tokens.issue(ctx, u.ID, purpose, im.at, expires)
	if err != nil {
		return err
	}
	m, err := im.meta.Mail(kind, u, tok)
	if err != nil {
		return err
	}
	m.Kind, m.UserID = kind, u.ID
	if m.To == "" {
		m.To = u.Email
	}
	if im.invites {
		group := im.tree.root.id
		if len(f.nodes) > 0 {
			group = f.nodes[0].id
		}
		a := f.row.Address
		res, err := im.invite.ExecContext(ctx, u.ID, a.Login, a.Key, a.Email, group, string(u.Language), im.at, im.batch)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return core.Errorf(core.EConflict, "import.invitation_pending",
					"une invitation est déjà en attente pour « {{.Address}} ». Annulez-la ou retirez la ligne du fichier.",
					map[string]any{"Address": a.Login}).Wrap(err)
			}
			return err
		}
		if m.InvitationID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := im.writeAudit(ctx, "invitation.create", "invitation", m.InvitationID, map[string]any{"after": map[string]any{
			"login": a.Login, "email": a.Email, "group_id": group, "language": u.Language,
		}}); err != nil {
			return err
		}
	}
	return im.queue(ctx, m)
}

// update writes the changes of one row to its existing account, as the account is
// now (it may have changed since the preview): non-empty cells that differ, and the
// groups it lacks. It reports whether anything changed.
func (im *importer) update(ctx context.Context, r *core.PlannedRow, nodes []*node) (bool, error) {
	if r.Existing == nil {
		return false, errors.New("update row without its account")
	}
	old, err := im.s.user(ctx, im.tx, `u.id = ?`, r.Existing.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, core.Errorf(core.EConflict, "import.account_gone",
			"le compte «\u00a0{{.Address}}\u00a0» a été supprimé depuis l'aperçu. Relisez le fichier, puis importez de nouveau.",
			map[string]any{"Address": r.Address.Login})
	}
	if err != nil {
		return false, err
	}
	next := old
	if r.FirstName != "" {
		next.FirstName = r.FirstName
	}
	if r.LastName != "" {
		next.LastName = r.LastName
	}
	if r.Language != "" {
		next.Language = r.Language
	}
	if r.Role != "" {
		next.Role = r.Role
	}
	c := importChange{Line: r.Line, Before: map[string]any{}, After: map[string]any{}}
	diff := func(field string, before, after any) {
		if before != after {
			c.Before[field], c.After[field] = before, after
		}
	}
	diff("first_name", old.FirstName, next.FirstName)
	diff("last_name", old.LastName, next.LastName)
	diff("language", old.Language, next.Language)
	diff("role", old.Role, next.Role)
	fieldsChanged := len(c.After) > 0
	have, err := userGroupIDs(ctx, im.tx, old.ID)
	if err != nil {
		return false, err
	}
	after := slices.Clone(old.Groups)
	for _, n := range nodes {
		if slices.Contains(have, n.id) {
			continue
		}
		if err := im.members.put(ctx, n.id, old.ID, im.at); err != nil {
			return false, err
		}
		c.AddedGroups = append(c.AddedGroups, n.id)
		after = append(after, n.path())
	}
	if len(c.AddedGroups) > 0 {
		slices.SortFunc(after, core.CompareFrench)
		c.Before["groups"], c.After["groups"] = old.Groups, after
	}
	if len(c.After) == 0 {
		return false, nil
	}
	if fieldsChanged {
		k := keysOf(next.Login, next.FirstName, next.LastName)
		if _, err := im.tx.ExecContext(ctx, `UPDATE users SET first_name = ?, last_name = ?, language = ?, role = ?,
			fold = ?, sort_last = ?, sort_first = ?, updated = ? WHERE id = ?`,
			next.FirstName, next.LastName, next.Language, next.Role, k.fold, k.sortLast, k.sortFirst, im.at, old.ID); err != nil {
			return false, err
		}
	} else if _, err := im.tx.ExecContext(ctx, `UPDATE users SET updated = ? WHERE id = ?`, im.at, old.ID); err != nil {
		return false, err
	}
	return true, im.writeAudit(ctx, "user.update", "user", old.ID, c)
}

// UndoBatch undoes an import in one transaction: the users it created are deleted
// (with their memberships and tokens), the fields it changed get their former values
// back, the memberships it added are removed, its pending invitations are cancelled
// and their queued mail with them. It is refused, with the rows and addresses in the
// way, when anything newer touched those users, or when an invitation was accepted.
// The batch is then marked undone.
func (s *Store) UndoBatch(ctx context.Context, id int64) (core.Batch, error) {
	var out core.Batch
	err := s.write(ctx, func(tx *sql.Tx) error {
		b, err := scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return batchNotFound(id)
		}
		if err != nil {
			return err
		}
		if !b.Undone.IsZero() {
			return core.Errorf(core.EConflict, "batch.already_undone", "L'import n°\u00a0{{.ID}} («\u00a0{{.File}}\u00a0») a déjà été annulé le {{.When}}.",
				map[string]any{"ID": id, "File": b.File, "When": b.Undone.Local().Format("02/01/2006 à 15:04")})
		}
		// what the batch did to users, from its audit rows
		type touched struct {
			action string
			line   int
			login  string
			change importChange
		}
		rows, err := tx.QueryContext(ctx, `SELECT a.entity_id, a.action, a.detail, coalesce(u.login, '')
			FROM audit a LEFT JOIN users u ON u.id = a.entity_id
			WHERE a.batch_id = ? AND a.entity = 'user' ORDER BY a.id`, id)
		if err != nil {
			return err
		}
		byUser := map[int64]touched{}
		var order []int64
		var lastAudit int64
		for rows.Next() {
			var uid int64
			var t touched
			var detail string
			if err := rows.Scan(&uid, &t.action, &detail, &t.login); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(detail), &t.change); err != nil {
				rows.Close()
				return fmt.Errorf("audit detail of user %d: %w", uid, err)
			}
			t.line = t.change.Line
			if _, ok := byUser[uid]; !ok {
				order = append(order, uid)
			}
			byUser[uid] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// the users it created, listed in runs in the batch's own audit row
		runs, err := batchCreated(ctx, tx, id)
		if err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT id, login, email, first_name, last_name, language, role, status
			FROM users WHERE batch_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var uid int64
			var email, first, last, language, role, status string
			t := touched{action: "user.create"}
			if err := rows.Scan(&uid, &t.login, &email, &first, &last, &language, &role, &status); err != nil {
				rows.Close()
				return err
			}
			if _, ok := byUser[uid]; ok {
				continue // audited one by one by an earlier version
			}
			t.line, _ = runs.line(uid)
			t.change = importChange{Line: t.line, After: map[string]any{"login": t.login, "email": email,
				"first_name": first, "last_name": last, "language": language, "role": role, "status": status}}
			order = append(order, uid)
			byUser[uid] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		slices.SortStableFunc(order, func(a, b int64) int { return byUser[a].line - byUser[b].line })
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM audit WHERE batch_id = ?`, id).Scan(&lastAudit); err != nil {
			return err
		}
		// anything newer on those users, or an accepted invitation, blocks the undo
		blocked := map[int64]bool{}
		if len(order) > 0 {
			ids, _ := json.Marshal(order)
			// the changes of an import undone since, and the undo rows themselves, put the
			// users back as they were: they do not count
			rows, err := tx.QueryContext(ctx, `SELECT DISTINCT entity_id FROM audit WHERE entity = 'user' AND id > ?
				AND action NOT IN ('user.undo_update', 'user.undo_create')
				AND (batch_id IS NULL OR batch_id NOT IN (SELECT id FROM batches WHERE id = ?2 OR undone_at IS NOT NULL))
				AND entity_id IN (SELECT value FROM json_each(?3))
				UNION SELECT user_id FROM invitations WHERE batch_id = ?2 AND state = 'accepted' AND user_id IS NOT NULL`,
				lastAudit, id, string(ids))
			if err != nil {
				return err
			}
			for rows.Next() {
				var uid int64
				if err := rows.Scan(&uid); err != nil {
					rows.Close()
					return err
				}
				blocked[uid] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if len(blocked) > 0 {
			var list []string
			for _, uid := range order {
				if !blocked[uid] {
					continue
				}
				t := byUser[uid]
				if len(list) == 10 {
					list = append(list, fmt.Sprintf("et %d autres", len(blocked)-10))
					break
				}
				list = append(list, fmt.Sprintf("ligne %d («\u00a0%s\u00a0»)", t.line, t.login))
			}
			return core.Errorf(core.EConflict, "batch.undo_blocked",
				"L'import n°\u00a0{{.ID}} («\u00a0{{.File}}\u00a0») ne peut pas être annulé\u00a0: certains de ses comptes ont été modifiés depuis, ou leur invitation acceptée ({{.Count}} en tout)\u00a0: {{.List}}. Rien n'a été annulé\u00a0; corrigez ces comptes un par un.",
				map[string]any{"ID": id, "File": b.File, "Count": len(blocked), "List": strings.Join(list, ", ")})
		}
		at := now()
		// pending invitations and their queued mail
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', updated = ?
			WHERE state = 'queued' AND (invitation_id IN (SELECT id FROM invitations WHERE batch_id = ?)
			   OR user_id IN (SELECT id FROM users WHERE batch_id = ?))`, at, id, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET state = 'cancelled', cancelled_at = ?
			WHERE batch_id = ? AND state = 'pending'`, at, id); err != nil {
			return err
		}
		audit, err := tx.PrepareContext(ctx, `INSERT INTO audit (at, who, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer audit.Close()
		write := func(action string, uid int64, detail any) error {
			js, err := json.Marshal(detail)
			if err != nil {
				return err
			}
			_, err = audit.ExecContext(ctx, at, s.who, action, "user", uid, string(js))
			return err
		}
		// reverted updates, newest first
		for i := len(order) - 1; i >= 0; i-- {
			uid := order[i]
			t := byUser[uid]
			if t.action != "user.update" {
				continue
			}
			for _, g := range t.change.AddedGroups {
				if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE group_id = ? AND user_id = ?`, g, uid); err != nil {
					return err
				}
			}
			u, err := s.user(ctx, tx, `u.id = ?`, uid)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			str := func(k string, v *string) {
				if x, ok := t.change.Before[k].(string); ok {
					*v = x
				}
			}
			str("first_name", &u.FirstName)
			str("last_name", &u.LastName)
			lang, role := string(u.Language), string(u.Role)
			str("language", &lang)
			str("role", &role)
			k := keysOf(u.Login, u.FirstName, u.LastName)
			if _, err := tx.ExecContext(ctx, `UPDATE users SET first_name = ?, last_name = ?, language = ?, role = ?,
				fold = ?, sort_last = ?, sort_first = ?, updated = ? WHERE id = ?`,
				u.FirstName, u.LastName, lang, role, k.fold, k.sortLast, k.sortFirst, at, uid); err != nil {
				return err
			}
			if err := write("user.undo_update", uid, importChange{Line: t.line, Before: t.change.After, After: t.change.Before}); err != nil {
				return err
			}
		}
		// created users, recorded before they go
		for _, uid := range order {
			t := byUser[uid]
			if t.action != "user.create" {
				continue
			}
			if err := write("user.undo_create", uid, importChange{Line: t.line, Before: t.change.After}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE batch_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET undone_at = ? WHERE id = ?`, at, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, at, "batch.undo", "batch", id, change{After: map[string]any{"file": b.File}}); err != nil {
			return err
		}
		out, err = scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE id = ?`, id))
		return err
	})
	return out, err
}
