import { useEffect, useState } from 'react'
import { transport } from '../transport/index.ts'
import type { ConnectionStatus } from '../transport/types.ts'
import { useStudio } from '../store/index.ts'

export function StatusBar() {
  const [status, setStatus] = useState<ConnectionStatus>('connecting')
  useEffect(() => transport.onStatus(setStatus), [])
  const toolchain = useStudio((state) => state.toolchain)
  const torch = toolchain.state === 'ready' ? toolchain.value.packages.find((tool) => tool.name === 'torch') : undefined
  return (
    <footer className="status-bar">
      <span className={`dot dot-${status}`} aria-hidden="true" />
      <span data-testid="connection">
        {transport.kind === 'electron' ? 'desktop' : 'browser mode'} · {status}
      </span>
      <span className="spacer" />
      {torch ? <span>torch {torch.found ? torch.version : 'missing'}</span> : null}
    </footer>
  )
}
