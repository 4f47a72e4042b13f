import type { ReactNode } from 'react'

/** A message that says what happened and what to do; errors carry their code for bug reports. */
export function Notice({ tone, title, children, code }: { tone: 'error' | 'info' | 'warning'; title: string; children?: ReactNode; code?: string }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <strong>{title}</strong>
      {code ? <span className="notice-code">{code}</span> : null}
      {children ? <div className="notice-body">{children}</div> : null}
    </div>
  )
}
