package core

import "context"

// ImportMail makes the mail of one person an import creates: an invitation
// (KindInvitation, for ActionInvite) or a welcome mail (KindWelcome, for a provisioned
// account when ImportMeta.Welcome is set). token is the one-time secret of the link;
// the store keeps only its hash. The store fills the message's user and invitation.
type ImportMail func(kind MessageKind, u User, token string) (Message, error)

// ImportMeta describes where an import comes from and what the commit sends.
type ImportMeta struct {
	File  string // base name of the file, or "cellules collées"
	Sheet string // sheet read, "" for CSV and pasted cells
	// Mail renders the mail of each new person; required for ActionInvite and with
	// Welcome, unused otherwise.
	Mail ImportMail
	// Welcome queues a welcome mail (with a link to choose a password) for every
	// provisioned account.
	Welcome bool
	// Progress, when set, is called from the committing goroutine every few hundred
	// rows with the rows written so far and the rows to write; done reaches total
	// when every row is written, before the last work of the commit (the indexes of
	// a big import), and once more at the end.
	Progress func(done, total int)
}

// ImportRows hands a commit the rows of an import as they are judged, so that a big
// file is written while it is still being read.
type ImportRows interface {
	// Next returns the next rows judged, in order; nil rows and a nil error at the
	// end. An error (the file could not be read to the end) rolls the commit back.
	Next(ctx context.Context) ([]PlannedRow, error)
	// Plan returns the options from the first Next on, and the counts of the whole
	// import once Next has returned the end.
	Plan() ImportPlan
}

// ImportStore is what committing and undoing an import needs from storage. The
// commit is one transaction: every writable row of the plan, or nothing.
type ImportStore interface {
	UserLookup
	CommitImport(ctx context.Context, plan *ImportPlan, meta ImportMeta) (Batch, error)
	// CommitImportRows commits rows as they come; with no row to write it writes
	// nothing and returns a Batch whose ID is 0.
	CommitImportRows(ctx context.Context, rows ImportRows, meta ImportMeta) (Batch, error)
	UndoBatch(ctx context.Context, id int64) (Batch, error)
	Batches(ctx context.Context) ([]Batch, error)
}
