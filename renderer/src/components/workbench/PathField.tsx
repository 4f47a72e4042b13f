import { useEffect, useState } from 'react'
import type { FolderListing } from '../../../../agents/contract/index.ts'
import { request } from '../../transport/index.ts'
import { Notice } from '../Notice.tsx'

const size = (bytes: number | null) =>
  bytes === null ? '' : bytes < 1024 ? `${bytes} B` : bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1 << 20)).toFixed(1)} MiB`

/**
 * A path typed by hand or picked in a browser the host serves, in both modes. The host shows only
 * the data folder, the samples and the task folders the user opened.
 */
export function PathField({
  id,
  value,
  onChange,
  extensions,
  required,
  pickFolder,
  list,
  describedBy,
}: {
  id: string
  value: string
  onChange: (path: string) => void
  extensions?: string[]
  required?: boolean
  pickFolder?: boolean
  list?: string
  describedBy?: string
}) {
  const [open, setOpen] = useState(false)
  return (
    <div className="file-browser">
      <div className="path-field">
        <input
          id={id}
          list={list}
          aria-describedby={describedBy}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          required={required}
          spellCheck={false}
          className="mono"
        />
        <button
          type="button"
          aria-label={open ? 'Close the file browser' : 'Browse for a file'}
          aria-expanded={open}
          aria-controls={`${id}-browser`}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Close' : 'Browse…'}
        </button>
      </div>
      {open ? (
        <FileBrowser
          id={`${id}-browser`}
          start={value}
          extensions={extensions}
          pickFolder={pickFolder}
          onPick={(path) => {
            onChange(path)
            setOpen(false)
          }}
        />
      ) : null}
    </div>
  )
}

function FileBrowser({
  id,
  start,
  extensions,
  pickFolder,
  onPick,
}: {
  id: string
  start: string
  extensions?: string[]
  pickFolder?: boolean
  onPick: (path: string) => void
}) {
  const [listing, setListing] = useState<FolderListing | null>(null)
  const [problem, setProblem] = useState<{ message: string; code: string } | null>(null)
  const show = async (path?: string) => {
    const result = await request('files.list', { ...(path ? { path } : {}), ...(extensions ? { extensions } : {}) })
    if (result.ok) {
      setListing(result.data)
      setProblem(null)
    } else if (path) {
      // A typed path outside the roots: say why, and show the first root instead.
      setProblem(result.error)
      const fallback = await request('files.list', extensions ? { extensions } : {})
      if (fallback.ok) setListing(fallback.data)
    } else setProblem(result.error)
  }
  useEffect(() => {
    void show(start.startsWith('/') ? start : undefined)
    // Only the path the browser opened with decides where it starts.
  }, [])
  return (
    <div id={id} className="file-browser" role="group" aria-label="File browser" data-testid="file-browser">
      {problem ? (
        <Notice tone="warning" title="Not shown" code={problem.code}>
          {problem.message}
        </Notice>
      ) : null}
      {listing ? (
        <>
          <div className="path-field">
            <select
              aria-label="Folder to browse"
              value={listing.roots.find((root) => listing.path.startsWith(root.path))?.path ?? ''}
              onChange={(event) => void show(event.target.value)}
            >
              {listing.roots.map((root) => (
                <option key={root.path} value={root.path}>
                  {root.label}
                </option>
              ))}
            </select>
            {pickFolder ? (
              <button type="button" onClick={() => onPick(listing.path)}>
                Use this folder
              </button>
            ) : null}
          </div>
          <p className="mono small muted">{listing.path}</p>
          <ul aria-label={`Files in ${listing.path}`}>
            {listing.parent ? (
              <li>
                <button type="button" onClick={() => void show(listing.parent ?? undefined)}>
                  .. (up)
                </button>
              </li>
            ) : null}
            {listing.entries.map((entry) => (
              <li key={entry.path}>
                <button type="button" className="mono small" onClick={() => (entry.kind === 'folder' ? void show(entry.path) : onPick(entry.path))}>
                  <span>
                    {entry.kind === 'folder' ? '▸ ' : ''}
                    {entry.name}
                  </span>
                  <span className="muted">{size(entry.sizeBytes)}</span>
                </button>
              </li>
            ))}
            {listing.entries.length === 0 ? <li className="muted small">Nothing to pick here.</li> : null}
          </ul>
        </>
      ) : null}
    </div>
  )
}
